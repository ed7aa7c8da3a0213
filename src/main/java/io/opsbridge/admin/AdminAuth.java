package io.opsbridge.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;

import javax.sql.DataSource;

import io.opsbridge.crypto.Secrets;
import io.opsbridge.http.Problem;
import io.opsbridge.http.ServerErrorPages;
import io.vertx.ext.web.RoutingContext;
import io.opsbridge.http.RouterHandlers;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code /admin/} request needs {@code Authorization: Bearer <admin token>}. Checked by the
 * HTTP server before any route runs, so no admin endpoint, present or future, can forget it.
 *
 * <p>The token is {@code opsbridge.admin.token} when configured. Otherwise one is generated at the
 * first start, printed once on the console, and only its hash is kept in the database.
 */
public final class AdminAuth implements RouterHandlers {

    private static final Logger LOG = LoggerFactory.getLogger(AdminAuth.class);
    static final Problem UNAUTHORIZED = new Problem(401, "admin-unauthorized", "Unauthorized",
            "Send Authorization: Bearer <admin token>.").withHeader("WWW-Authenticate", "Bearer realm=\"opsbridge-admin\"");

    private final Optional<String> configuredToken;
    private final DataSource dataSource;
    private final Clock clock;
    /** Read (or generated) when the server installs the check, once the database is open. */
    private volatile String tokenHash;

    public AdminAuth(Optional<String> configuredToken, DataSource dataSource, Clock clock) {
        this.configuredToken = configuredToken;
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** The hash of the configured token, or of the one generated at the first start (printed once). */
    private static String tokenHash(Optional<String> configuredToken, DataSource dataSource, Clock clock) {
        if (configuredToken.isPresent()) {
            return Secrets.sha256Hex(configuredToken.get());
        }
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement q = c.prepareStatement("SELECT token_sha256 FROM admin_credential WHERE id = 'admin'");
                    ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    LOG.info("Admin API token: the one generated at first start (set opsbridge.admin.token to replace it)");
                    return rs.getString(1);
                }
            }
            String token = Secrets.generate("adm_");
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO admin_credential (id, token_sha256, created_at) VALUES ('admin', ?, ?) ON CONFLICT DO NOTHING")) {
                insert.setString(1, Secrets.sha256Hex(token));
                insert.setTimestamp(2, Timestamp.from(clock.instant()));
                if (insert.executeUpdate() == 0) {
                    return tokenHash(configuredToken, dataSource, clock); // another node generated it first
                }
            }
            // Printed once, on the console and not through the logger: it is shown now and never again.
            System.out.println("\n=== OpsBridge admin API token (shown once, store it now): " + token + " ===\n");
            return Secrets.sha256Hex(token);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read or store the admin token: " + e.getMessage());
        }
    }

    @Override
    public void addTo(VertxPlatformHttpRouter router) {
        tokenHash = tokenHash(configuredToken, dataSource, clock);
        router.route("/admin/*").order(-100).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        if (authorized(ctx.request().getHeader("Authorization"))) {
            ctx.next();
        } else {
            ServerErrorPages.reply(ctx, UNAUTHORIZED);
        }
    }

    boolean authorized(String authorization) {
        String hash = tokenHash;
        if (hash == null || authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return Secrets.matches(authorization.substring(7).trim(), hash);
    }
}
