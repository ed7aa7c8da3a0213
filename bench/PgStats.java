import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * What the PostgreSQL server has done so far, for bench/flows.sh on bench/postgres.sh: one line
 * "commits rollbacks wal_writes wal_syncs wal_bytes statements" (pg_stat_database of the database,
 * pg_stat_wal, pg_stat_statements' calls), or with "top" the statements called most since the last
 * reset, one per line, "calls<TAB>statement". "reset" clears pg_stat_statements first.
 * usage: PgStats <jdbc-url> <user> <password> [top N | reset]
 */
public final class PgStats {

    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(args[0], args[1], args[2]); Statement s = c.createStatement()) {
            if (args.length > 3 && args[3].equals("reset")) {
                s.execute("SELECT pg_stat_statements_reset()");
                return;
            }
            if (args.length > 3 && args[3].equals("top")) {
                try (ResultSet rs = s.executeQuery("SELECT calls, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements "
                        + "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC LIMIT "
                        + Integer.parseInt(args[4]))) {
                    while (rs.next()) {
                        String q = rs.getString(2);
                        System.out.println(rs.getLong(1) + "\t" + (q.length() > 160 ? q.substring(0, 160) + "…" : q));
                    }
                }
                return;
            }
            try (ResultSet rs = s.executeQuery("SELECT d.xact_commit, d.xact_rollback, w.wal_write, w.wal_sync, w.wal_bytes, "
                    + "(SELECT COALESCE(SUM(calls), 0) FROM pg_stat_statements WHERE dbid = d.datid) "
                    + "FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = current_database()")) {
                rs.next();
                System.out.println(rs.getLong(1) + " " + rs.getLong(2) + " " + rs.getLong(3) + " " + rs.getLong(4) + " "
                        + rs.getLong(5) + " " + rs.getLong(6));
            }
        }
    }
}
