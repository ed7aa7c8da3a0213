package io.opsbridge.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import javax.sql.DataSource;

/**
 * PostgreSQL, which several nodes share: many connections committing side by side (the server groups
 * concurrent commits itself), due rows locked with {@code SKIP LOCKED}, and per order one node at a
 * time claiming, by a transaction-scoped advisory lock.
 */
final class PostgresStore implements Store {

    /**
     * Of the orders given, those whose advisory lock this transaction took. The first key is OpsBridge's
     * namespace in the database's advisory locks.
     */
    private static final String LOCK_ORDERS = "SELECT k FROM unnest(?) AS k WHERE pg_try_advisory_xact_lock(" + 0x0B5B
            + ", hashtext(k))";

    @Override
    public String migrations() {
        return "classpath:db/postgresql";
    }

    @Override
    public Transactions transactions(DataSource dataSource, int groupCommitMax) {
        return new ConcurrentCommits(dataSource);
    }

    @Override
    public String lockDueRows() {
        return " FOR UPDATE OF e SKIP LOCKED";
    }

    @Override
    public String lockCheckedRow() {
        return " FOR UPDATE";
    }

    @Override
    public Set<String> lockOrders(Connection c, Collection<String> orderKeys) throws SQLException {
        if (orderKeys.isEmpty()) {
            return new HashSet<>();
        }
        return new HashSet<>(Jdbc.query(c, LOCK_ORDERS, rs -> rs.getString(1), c.createArrayOf("text", orderKeys.toArray())));
    }

    @Override
    public <R, T> T claim(Jdbc jdbc, Jdbc.Work<R> read, Claim<R, T> claim) {
        return jdbc.inOwnTransaction(c -> claim.run(c, read.run(c)));
    }
}
