package io.opsbridge;

import java.util.Map;

import io.opsbridge.support.HeldCommits;
import io.opsbridge.support.TestHub;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The same held commits on PostgreSQL, with several inbox writer threads (its recommended setting). */
class NoAnswerBeforeCommitOnPostgresTest extends NoAnswerBeforeCommitContract {

    static EmbeddedPostgres postgres;

    @BeforeAll
    static void startOnPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        hub = TestHub.start(data, Map.of(
                "opsbridge.db.url", HeldCommits.url(postgres.getJdbcUrl("postgres", "postgres")),
                "opsbridge.db.user", "postgres",
                "opsbridge.inbox.writer-threads", "4",
                "opsbridge.sender.crm.secrets", "held-secret",
                "opsbridge.sender.crm.rate-limit", "0",
                "opsbridge.admin.token", ADMIN));
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        hub.close();
        postgres.close();
    }
}
