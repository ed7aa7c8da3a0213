package io.opsbridge.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

/** Small JDBC helpers: bind, map rows, run in one transaction. Storage failures become {@link StorageException}. */
public final class Jdbc {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Jdbc.class);

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;
    private final int groupCommitMax;
    /** Known from the first connection asked (the pool opens in the background); then its transactions. */
    private volatile Store store;
    private volatile Transactions transactions;

    /** On the server's own store, with its default group size where it groups commits. */
    public Jdbc(DataSource dataSource) {
        this(dataSource, 400);
    }

    /** @param groupCommitMax where the store groups commits (the H2 file), most units in one commit */
    public Jdbc(DataSource dataSource, int groupCommitMax) {
        this.dataSource = dataSource;
        this.groupCommitMax = groupCommitMax;
    }

    /** What differs on the database the hub runs on, as its server says (asked once, at first use). */
    public Store store() {
        Store known = store;
        if (known == null) {
            synchronized (this) {
                if (store == null) {
                    try (Connection c = dataSource.getConnection()) {
                        Store found = Store.of(c);
                        transactions = found.transactions(dataSource, groupCommitMax);
                        store = found;
                    } catch (SQLException e) {
                        throw new StorageException(e);
                    }
                }
                known = store;
            }
        }
        return known;
    }

    private Transactions transactions() {
        store();
        return transactions;
    }

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        return withConnection(c -> query(c, sql, mapper, args));
    }

    /** The first row, if any (empty also when its mapped value is null). */
    public <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... args) {
        List<T> rows = query(sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
    }

    /**
     * One statement, queued like {@link #writeLater}: for a record that nothing reads before this
     * thread's next write, which commits it. A failure is only logged: use {@link #writeLater} when the
     * caller must learn of it.
     */
    public void updateLater(String sql, Object... args) {
        writeLater(c -> update(c, sql, args)).exceptionally(e -> {
            LOG.warn("A deferred write failed: {}", StorageException.describe(e));
            return null;
        });
    }

    /**
     * Queues {@code work} and returns at once; it commits before or with this thread's next write (on
     * the H2 file with the next group, on PostgreSQL in the same transaction as that write), in the
     * order queued. The future fails (before any commit) when the work failed. Inside a running unit
     * the work runs now and a failure is thrown.
     */
    public <T> CompletableFuture<T> writeLater(Work<T> work) {
        if (transactions().joined() != null) {
            return CompletableFuture.completedFuture(inTransaction(work));
        }
        return transactions.later(work);
    }

    /**
     * The answer of {@code check} on the caller's transaction, {@code c}: asked once per transaction
     * for each {@code key} where a transaction is one thread's alone (PostgreSQL), every time where it
     * is a group of many threads' units (the H2 file). For a check whose answer the transaction keeps
     * (a row it locked).
     */
    public boolean checkOnce(Connection c, Object key, Work<Boolean> check) throws SQLException {
        java.util.Map<Object, Boolean> checked = transactions().checked();
        if (checked == null || transactions.joined() != c) {
            return check.run(c);
        }
        Boolean known = checked.get(key);
        if (known == null) {
            known = check.run(c);
            checked.put(key, known);
        }
        return known;
    }

    /** Commits what this thread queued with {@link #writeLater} and has not committed yet. */
    public void flush() {
        transactions().flush();
    }

    /** One statement, committed (durably) before it returns. */
    public int update(String sql, Object... args) {
        return inTransaction(c -> update(c, sql, args));
    }

    public static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            bind(q, args);
            try (ResultSet rs = q.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
                return rows;
            }
        }
    }

    public static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement u = c.prepareStatement(sql)) {
            bind(u, args);
            return u.executeUpdate();
        }
    }

    /** Reads on a connection of the pool (inside a unit, on the unit's own, so it sees its writes). */
    public <T> T withConnection(Work<T> work) {
        Connection joined = transactions == null ? null : transactions.joined();
        if (joined != null) {
            try {
                return work.run(joined);
            } catch (SQLException e) {
                throw new StorageException(e);
            }
        }
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Runs {@code work} in one transaction, with what this thread queued before it: committed when it
     * returns, rolled back when it throws.
     */
    public <T> T inTransaction(Work<T> work) {
        Connection joined = transactions().joined();
        if (joined != null) {
            try {
                return work.run(joined); // work started inside a running unit joins it
            } catch (SQLException e) {
                throw new StorageException(e);
            }
        }
        return transactions.run(work);
    }

    /**
     * Runs {@code work} in a transaction of its own on a connection of the pool, never with other
     * threads' writes: for work that holds locks, which should be released at its own commit.
     */
    public <T> T inOwnTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Commits what is queued, then stops taking writes. */
    public void close() {
        if (transactions != null) {
            transactions.close();
        }
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    /**
     * A row as the APIs answer it: each column under its camelCase name ({@code last_sync_at} →
     * {@code lastSyncAt}, so {@code SELECT x AS some_name} names it), timestamps as ISO-8601 instants,
     * dates as YYYY-MM-DD.
     */
    public static Map<String, Object> camelRow(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            Object value = rs.getObject(i);
            if (value instanceof Timestamp t) {
                value = t.toInstant().toString();
            } else if (value instanceof OffsetDateTime t) {
                value = t.toInstant().toString();
            } else if (value instanceof java.sql.Date || value instanceof LocalDate) {
                value = value.toString();
            }
            row.put(camel(meta.getColumnLabel(i)), value);
        }
        return row;
    }

    static String camel(String column) {
        String lower = column.toLowerCase(Locale.ROOT);
        StringBuilder name = new StringBuilder(lower.length());
        boolean upper = false;
        for (char ch : lower.toCharArray()) {
            if (ch == '_') {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(ch) : ch);
                upper = false;
            }
        }
        return name.toString();
    }

    /** A timestamp column as an ISO-8601 instant, as the APIs answer it; null when empty. */
    public static String isoInstant(ResultSet rs, String column) throws SQLException {
        Instant instant = instant(rs, column);
        return instant == null ? null : instant.toString();
    }

    private static void bind(PreparedStatement statement, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg instanceof Instant instant) {
                statement.setTimestamp(i + 1, Timestamp.from(instant));
            } else if (arg instanceof LocalDate date) {
                statement.setObject(i + 1, date);
            } else {
                statement.setObject(i + 1, arg);
            }
        }
    }
}
