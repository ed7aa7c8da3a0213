package io.opsbridge.http;

import java.util.Locale;

/** {@code application/json} or {@code application/*+json}, in UTF-8 when a charset is named. */
public final class JsonContentType {

    private JsonContentType() {
    }

    public static boolean isJson(String contentType) {
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
