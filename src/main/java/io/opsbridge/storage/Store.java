package io.opsbridge.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Set;

import javax.sql.DataSource;

/**
 * What differs between the databases the hub runs on, in one place: one implementation per kind of
 * server, picked from what the server says it is ({@link #of}), never from the URL. Shared code asks
 * its store, never which database it is on.
 */
public interface Store {

    /** The store for the server behind {@code c}: PostgreSQL, or the embedded H2. */
    static Store of(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseProductName().equals("PostgreSQL") ? new PostgresStore() : new H2Store();
    }

    /** The migrations only this kind of server runs, after the shared ones in db/migration. */
    String migrations();

    /** How write transactions commit on this server. */
    Transactions transactions(DataSource dataSource, int groupCommitMax);

    /**
     * Appended to the query of due events: on a database several nodes share, the rows read are locked
     * until the claim's transaction ends, and rows another node is claiming are passed by.
     */
    String lockDueRows();

    /**
     * Appended to a query that checks a row the transaction then writes by (a lease): on a database other
     * writers share, the row stays locked until the transaction ends, so no other writer changes it
     * between the check and the commit; on one node's file, whose writes all go through one writer in
     * turn, nothing.
     */
    String lockCheckedRow();

    /**
     * Of {@code orderKeys}, those this transaction may claim an event of: on a shared database those no
     * other node is claiming for at this moment (each held until the transaction ends); on one node's file, all.
     */
    Set<String> lockOrders(Connection c, Collection<String> orderKeys) throws SQLException;

    /**
     * Runs a claim: {@code read} finds what is due, {@code claim} takes it. On a shared database both
     * are one transaction of their own (the locks {@code read} takes end with the claim); on one node's
     * file the read is on a connection of its own and the claim joins the group commit, which must not
     * wait on the read.
     */
    <R, T> T claim(Jdbc jdbc, Jdbc.Work<R> read, Claim<R, T> claim);

    /** The writing half of {@link #claim}. */
    @FunctionalInterface
    interface Claim<R, T> {
        T run(Connection c, R read) throws SQLException;
    }
}
