// A vendor signing Standard Webhooks `v1a` entries (Ed25519) with Node's own crypto, independent of the hub.
// usage: node sign-ed25519.mjs keygen <private_key_file>
//          writes a new private key (PKCS#8 PEM) to the file, prints its public key as whpk_<base64 of 32 bytes>
//        node sign-ed25519.mjs sign <private_key_file> <msg_id> <epoch_seconds> <body_file>
//          prints the webhook-signature entry v1a,<base64 signature over msg_id.epoch_seconds.body>
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [command, keyFile, id, seconds, bodyFile] = process.argv.slice(2);
if (command === 'keygen') {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  process.stdout.write('whpk_' + raw.toString('base64'));
} else if (command === 'sign') {
  const key = createPrivateKey(readFileSync(keyFile));
  // the raw body bytes, exactly as they are sent
  const content = Buffer.concat([Buffer.from(`${id}.${seconds}.`, 'utf8'), readFileSync(bodyFile)]);
  process.stdout.write('v1a,' + sign(null, content, key).toString('base64'));
} else {
  process.stderr.write('usage: sign-ed25519.mjs keygen <key_file> | sign <key_file> <msg_id> <epoch_seconds> <body_file>\n');
  process.exit(2);
}
