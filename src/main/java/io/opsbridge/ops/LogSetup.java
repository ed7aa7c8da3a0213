package io.opsbridge.ops;

import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The hub's logging, set up in code (logback finds it through {@code META-INF/services}): one line per
 * event on stdout, without exception stack traces; {@code io.opsbridge} at {@code OPSBRIDGE_LOG_LEVEL}
 * (INFO), Flyway and HikariCP at WARN. Request headers, secrets and bodies are never logged by OpsBridge
 * code.
 * <p>
 * In code rather than a {@code logback.xml}: parsing the XML took about a tenth of the main thread's
 * start. An operator's own file still wins: with {@code -Dlogback.configurationFile=…} this steps aside
 * and logback reads that file.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n%nopex";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(context);
        stdout.setName("STDOUT");
        stdout.setEncoder(encoder);
        stdout.start();

        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(stdout);
        String hubLevel = System.getenv().getOrDefault("OPSBRIDGE_LOG_LEVEL", "INFO");
        levels(hubLevel).forEach((name, level) -> context.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The level of each logger below the root; an unknown {@code OPSBRIDGE_LOG_LEVEL} counts as INFO. */
    static Map<String, Level> levels(String hubLevel) {
        return Map.of("io.opsbridge", Level.toLevel(hubLevel, Level.INFO), "org.apache.camel", Level.INFO,
                "org.flywaydb", Level.WARN, "com.zaxxer.hikari", Level.WARN);
    }
}
