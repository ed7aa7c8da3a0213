package io.opsbridge.storage;

import java.sql.Connection;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import javax.sql.DataSource;

/**
 * The embedded H2 file: one node's, written by one writer. An H2 commit stores every page changed since
 * the last one, the undo log of any other open transaction included, so the hub's writes share the
 * commits of one thread ({@link GroupCommit}), the intake's inserts among them, and claims need no
 * locks against other nodes.
 */
final class H2Store implements Store {

    @Override
    public String migrations() {
        return "classpath:db/h2";
    }

    @Override
    public Transactions transactions(DataSource dataSource, int groupCommitMax) {
        return new GroupCommit(dataSource, groupCommitMax);
    }

    @Override
    public String lockDueRows() {
        return "";
    }

    @Override
    public String lockCheckedRow() {
        return ""; // every write, a recovery's too, is a unit of the one writer: none runs between check and commit
    }

    @Override
    public Set<String> lockOrders(Connection c, Collection<String> orderKeys) {
        return new HashSet<>(orderKeys);
    }

    @Override
    public <R, T> T claim(Jdbc jdbc, Jdbc.Work<R> read, Claim<R, T> claim) {
        R due = jdbc.withConnection(read);
        return jdbc.inTransaction(c -> claim.run(c, due));
    }
}
