package io.opsbridge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class LogSetupTest {

    @Test
    void oneLinePerEventOnStdoutWithoutTheStackTrace() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter()); // what logback's service provider gives the hub's own context
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(new LogSetup().configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
            Logger log = context.getLogger("io.opsbridge.inbox.InboxWriter");
            log.error("Commit failed: {}", "disk full", new IllegalStateException("secret detail of the cause"));
            log.debug("not at the default level");
            context.getLogger("org.flywaydb.core.Flyway").info("Migrating schema");
            context.getLogger("org.flywaydb.core.Flyway").warn("Flyway warns");
        } finally {
            System.setOut(stdout);
            context.stop();
        }
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) ERROR \\[main\\] "
                + "io\\.opsbridge\\.inbox\\.InboxWriter - Commit failed: disk full");
        assertThat(lines[1]).endsWith("WARN  [main] org.flywaydb.core.Flyway - Flyway warns");
    }

    @Test
    void theHubsLevelComesFromTheEnvironmentsSetting() {
        assertThat(LogSetup.levels("DEBUG")).containsEntry("io.opsbridge", Level.DEBUG).containsEntry("com.zaxxer.hikari", Level.WARN);
        assertThat(LogSetup.levels("loud")).containsEntry("io.opsbridge", Level.INFO);
    }

    @Test
    void anOperatorsOwnConfigurationFileWins() {
        System.setProperty("logback.configurationFile", "/etc/opsbridge/logback.xml");
        try {
            LoggerContext context = new LoggerContext();
            assertThat(new LogSetup().configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
        } finally {
            System.clearProperty("logback.configurationFile");
        }
    }
}
