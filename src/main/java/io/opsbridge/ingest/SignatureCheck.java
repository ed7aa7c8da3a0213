package io.opsbridge.ingest;

import java.util.function.UnaryOperator;

import io.opsbridge.http.HttpRequestView;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/** Step 2 of intake: the signature, checked on the raw body bytes before anything parses them (401). */
public final class SignatureCheck implements Processor {

    private final Senders senders;

    public SignatureCheck(Senders senders) {
        this.senders = senders;
    }

    @Override
    public void process(Exchange exchange) {
        Sender sender = senders.of(exchange);
        Message in = exchange.getMessage();
        UnaryOperator<String> header = HttpRequestView.headers(exchange);
        if (!sender.signature().isPresent(header)) {
            throw new Rejection(new Problem(401, "signature-missing", "Signature missing",
                    "Sign the request with scheme " + sender.scheme() + "; see docs/webhooks.md."));
        }
        if (!sender.signature().verify(header, in.getBody(byte[].class))) {
            throw new Rejection(new Problem(401, "signature-invalid", "Signature invalid",
                    "The signature matches no active secret or public key of this sender. Sign the exact raw body bytes."));
        }
    }
}
