package io.opsbridge.tenant;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A pull endpoint's URL and what of it may be shown: the user information ({@code user:pw@}) and the
 * values of query parameters whose names look like credentials ({@code apiKey}, {@code token},
 * {@code secret}, {@code password}, {@code signature}, ...) are masked as {@code ****}. The URL
 * itself, when it carries any of them, is stored encrypted.
 */
public final class PullUrl {

    static final String MASK = "****";
    private static final Pattern SECRET_NAME = Pattern.compile(
            ".*(key|token|secret|passw|pwd|auth|signature|sig|credential|session).*");

    private PullUrl() {
    }

    /** The URL with its credentials masked; the URL itself when it has none. */
    public static String masked(String url) {
        URI uri = URI.create(url);
        StringBuilder shown = new StringBuilder(uri.getScheme()).append("://");
        if (uri.getRawUserInfo() != null) {
            shown.append(MASK).append('@');
        }
        shown.append(uri.getRawAuthority().substring(uri.getRawUserInfo() == null ? 0 : uri.getRawUserInfo().length() + 1));
        if (uri.getRawPath() != null) {
            shown.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            List<String> params = new ArrayList<>();
            for (String param : uri.getRawQuery().split("&", -1)) {
                int eq = param.indexOf('=');
                String name = eq < 0 ? param : param.substring(0, eq);
                params.add(eq >= 0 && isSecretName(name) ? name + "=" + MASK : param);
            }
            shown.append('?').append(String.join("&", params));
        }
        if (uri.getRawFragment() != null) {
            shown.append('#').append(uri.getRawFragment());
        }
        return shown.toString();
    }

    /** The URL to call: user information ({@code user:pw@}) is never sent (the pull authenticates with its Bearer secret). */
    public static String withoutUserInfo(String url) {
        URI uri = URI.create(url);
        if (uri.getRawUserInfo() == null) {
            return url;
        }
        return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^@/?#]*@", "$1");
    }

    /** Whether the URL carries credentials (then it is stored encrypted and shown masked). */
    public static boolean hasCredentials(String url) {
        return !masked(url).equals(url);
    }

    static boolean isSecretName(String rawName) {
        return SECRET_NAME.matcher(rawName.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "")).matches();
    }
}
