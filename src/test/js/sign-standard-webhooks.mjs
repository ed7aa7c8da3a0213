// Signs a message with the reference Standard Webhooks library, as a vendor using it would.
// usage: node sign-standard-webhooks.mjs <whsec_secret> <msg_id> <epoch_seconds> <body_file>
// prints the webhook-signature header value
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';

const [secret, id, seconds, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile, 'utf8');
process.stdout.write(new Webhook(secret).sign(id, new Date(Number(seconds) * 1000), body));
