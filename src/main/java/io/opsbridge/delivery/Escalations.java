package io.opsbridge.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;

/**
 * TASK.HUMAN_ACTION_REQUIRED: an alert at once, and a second (escalation) alert when the task is not
 * resolved (assigned or completed) within the SLA ({@code opsbridge.escalation.sla-ms}).
 */
public final class Escalations {

    private final Jdbc jdbc;
    private final Clock clock;
    private final Duration sla;

    public Escalations(Jdbc jdbc, Clock clock, Duration sla) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.sla = sla;
    }

    /** Opens the escalation clock for the task and words the first alert. */
    public void open(Exchange exchange) {
        FlowEvent event = exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class);
        String taskId = event.payload().path("task_id").asText();
        String reason = event.payload().path("reason").asText("(no reason given)");
        Instant now = clock.instant();
        jdbc.update("INSERT INTO escalation (task_id, order_id, reason, due_at, state, created_at) VALUES (?, ?, ?, ?, 'open', ?) "
                + "ON CONFLICT DO NOTHING", taskId, event.orderKey(), reason, now.plus(sla), now);
        exchange.setProperty(Alerts.TEXT, ":raising_hand: Task " + taskId + (event.orderKey() == null ? "" : " (order "
                + event.orderKey() + ")") + " needs a person: " + reason);
    }

    /** The task was assigned or completed: no escalation. */
    public void resolve(Exchange exchange) {
        FlowEvent event = exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class);
        jdbc.update("UPDATE escalation SET state = 'resolved', resolved_at = ? WHERE task_id = ? AND state = 'open'",
                clock.instant(), event.payload().path("task_id").asText());
    }

    /** The escalation alerts now due, each claimed once (also across nodes). */
    public List<String> due() {
        Instant now = clock.instant();
        record Open(String taskId, String orderId, String reason) {
        }
        List<String> texts = new ArrayList<>();
        for (Open o : jdbc.query("SELECT task_id, order_id, reason FROM escalation WHERE state = 'open' AND due_at <= ?",
                rs -> new Open(rs.getString(1), rs.getString(2), rs.getString(3)), now)) {
            if (jdbc.update("UPDATE escalation SET state = 'escalated' WHERE task_id = ? AND state = 'open'", o.taskId()) == 1) {
                texts.add(":sos: ESCALATION: task " + o.taskId() + (o.orderId() == null ? "" : " (order " + o.orderId() + ")")
                        + " still needs a person after " + sla.toMinutes() + " min: " + o.reason());
            }
        }
        return texts;
    }
}
