package io.opsbridge;

import java.util.Map;

import io.opsbridge.support.HeldCommits;
import io.opsbridge.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** No answer before the commit, on the embedded H2 file. */
class NoAnswerBeforeCommitTest extends NoAnswerBeforeCommitContract {

    @BeforeAll
    static void startOnH2() {
        hub = TestHub.start(data, Map.of(
                "opsbridge.db.url", HeldCommits.url(TestHub.h2Url(data)),
                "opsbridge.sender.crm.secrets", "held-secret",
                "opsbridge.sender.crm.rate-limit", "0",
                "opsbridge.admin.token", ADMIN));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }
}
