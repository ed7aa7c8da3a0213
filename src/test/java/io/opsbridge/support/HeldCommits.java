package io.opsbridge.support;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A JDBC driver in front of the real one that can hold a transaction's {@code commit()} until the
 * test lets it go. The hub is given the URL {@code jdbc:held:<real url>} as its ordinary
 * {@code opsbridge.db.url}: its own pool, migrations and statements run unchanged over the wrapped
 * connections, so a test of "no answer before the commit" does not depend on how the hub writes.
 *
 * <p>While {@link #hold} is armed, a commit of a transaction that ran a statement naming the table
 * waits; {@link #awaitHeld} returns once one does, and {@link #release} lets every held one commit.
 */
public final class HeldCommits implements Driver {

    private static final String PREFIX = "jdbc:held:";
    private static final HeldCommits DRIVER = new HeldCommits();

    static {
        try {
            DriverManager.registerDriver(DRIVER);
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile String table;
    private volatile CountDownLatch arrived = new CountDownLatch(1);
    private volatile CountDownLatch released = new CountDownLatch(0);

    /** The URL the hub is configured with: the real database behind commits the test can hold. */
    public static String url(String realUrl) {
        return PREFIX + realUrl;
    }

    /** From now on, commits of transactions that wrote {@code table} wait for {@link #release}. */
    public static void hold(String table) {
        DRIVER.arrived = new CountDownLatch(1);
        DRIVER.released = new CountDownLatch(1);
        DRIVER.table = table.toLowerCase(Locale.ROOT);
    }

    /** Waits until a commit is being held; false when none came within the time given. */
    public static boolean awaitHeld(long seconds) throws InterruptedException {
        return DRIVER.arrived.await(seconds, TimeUnit.SECONDS);
    }

    /** Lets every held commit (and every later one) go through. */
    public static void release() {
        DRIVER.table = null;
        DRIVER.released.countDown();
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        String real = url.substring(PREFIX.length());
        Connection connection = DriverManager.getDriver(real).connect(real, info);
        return (Connection) Proxy.newProxyInstance(HeldCommits.class.getClassLoader(), new Class<?>[] {Connection.class},
                new Held(connection));
    }

    /** One wrapped connection: remembers the statements of its current transaction. */
    private final class Held implements InvocationHandler {
        private final Connection real;
        private final List<String> statements = new ArrayList<>();

        Held(Connection real) {
            this.real = real;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (args != null && args.length > 0 && args[0] instanceof String sql
                    && (name.equals("prepareStatement") || name.equals("prepareCall"))) {
                synchronized (statements) {
                    statements.add(sql.toLowerCase(Locale.ROOT));
                }
            }
            if (name.equals("commit")) {
                waitIfHeld();
            }
            if (name.equals("commit") || name.equals("rollback")) {
                synchronized (statements) {
                    statements.clear();
                }
            }
            try {
                Object result = method.invoke(real, args);
                if (result instanceof Statement statement && name.equals("createStatement")) {
                    return wrapStatement(statement);
                }
                return result;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        private Object wrapStatement(Statement statement) {
            return Proxy.newProxyInstance(HeldCommits.class.getClassLoader(), new Class<?>[] {Statement.class}, (p, m, a) -> {
                if (a != null && a.length > 0 && a[0] instanceof String sql) {
                    synchronized (statements) {
                        statements.add(sql.toLowerCase(Locale.ROOT));
                    }
                }
                try {
                    return m.invoke(statement, a);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        }

        private void waitIfHeld() throws InterruptedException {
            String held = table;
            if (held == null) {
                return;
            }
            boolean wrote;
            synchronized (statements) {
                wrote = statements.stream().anyMatch(sql -> sql.contains(held) && !sql.startsWith("select"));
            }
            if (wrote) {
                CountDownLatch release = released;
                arrived.countDown();
                release.await();
            }
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
