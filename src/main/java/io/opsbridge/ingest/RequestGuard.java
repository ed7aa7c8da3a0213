package io.opsbridge.ingest;

import java.util.Locale;

import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Step 1 of intake: POST only (405), a JSON content type (415), a body within the sender's limit
 * (413). The content type is checked before anything reads the body, so a form post is a 415.
 */
public final class RequestGuard implements Processor {

    private final Senders senders;

    public RequestGuard(Senders senders) {
        this.senders = senders;
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        if (!"POST".equals(in.getHeader(Exchange.HTTP_METHOD, String.class))) {
            throw new Rejection(new Problem(405, "method-not-allowed", "Method not allowed",
                    "Webhooks are delivered with POST.").withHeader("Allow", "POST"));
        }
        if (!isJson(in.getHeader(Exchange.CONTENT_TYPE, String.class))) {
            throw new Rejection(new Problem(415, "unsupported-media-type", "Unsupported media type",
                    "Send the event as application/json (UTF-8)."));
        }
        Sender sender = senders.of(exchange);
        byte[] body = in.getBody(byte[].class);
        if (body == null) {
            body = new byte[0];
        }
        if (body.length > sender.maxBodyBytes()) {
            throw new Rejection(new Problem(413, "payload-too-large", "Payload too large",
                    "The body is " + body.length + " bytes; the limit is " + sender.maxBodyBytes() + " bytes."));
        }
        in.setBody(body);
    }

    /** {@code application/json} or {@code application/*+json}, in UTF-8 when a charset is named. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";");
        String media = parts[0].trim().toLowerCase(Locale.ROOT);
        boolean json = media.equals("application/json")
                || (media.startsWith("application/") && media.endsWith("+json") && media.length() > "application/+json".length());
        if (!json) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].trim().split("=", 2);
            if (param.length == 2 && param[0].trim().equalsIgnoreCase("charset")) {
                String charset = param[1].trim().replace("\"", "");
                if (!charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
                    return false;
                }
            }
        }
        return true;
    }
}
