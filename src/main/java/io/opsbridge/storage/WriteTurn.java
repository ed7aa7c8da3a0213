package io.opsbridge.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * On the embedded H2 file, the two writers that run transactions of their own take turns: the inbox
 * writer (the intake's inserts) and the group commit (everything delivery writes). One waits while
 * the other's transaction runs and commits, and its own batch grows meanwhile.
 *
 * <p>Why: an H2 commit stores every page changed since the last one, the undo log of any other open
 * transaction included (the old value of each row it has changed so far). While the two writers'
 * transactions overlapped, each commit of one wrote the other's undo log; in the flows benchmark that
 * was a fifth of all the bytes written to the file (docs/performance.md). On PostgreSQL, whose
 * commits share nothing of the kind and overlap well, no turn is taken.
 *
 * <p>Use: {@code turn.take(c); try { ... commit } finally { turn.give(); }}. Turns are handed out in
 * the order asked (a fair lock), so neither writer can keep the file to itself under load.
 */
public final class WriteTurn {

    private final ReentrantLock lock = new ReentrantLock(true);
    /** H2 or PostgreSQL, told by the first connection a writer brings (the pool opens in the background). */
    private volatile Boolean embedded;

    /** Waits for the turn on H2; returns at once on PostgreSQL. */
    public void take(Connection c) throws SQLException {
        Boolean known = embedded;
        if (known == null) {
            known = !Database.isPostgres(c);
            embedded = known;
        }
        if (known) {
            lock.lock();
        }
    }

    /** Ends this thread's turn, if it has one. */
    public void give() {
        if (lock.isHeldByCurrentThread()) {
            lock.unlock();
        }
    }
}
