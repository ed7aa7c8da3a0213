-- PostgreSQL only (several nodes may share it; H2 is one node's file). Per order at most one event
-- runs at a time, across every node: the claim takes care of it (routes run one order's events in the
-- order received), and this index makes it a rule of the database too, so a claim that would break it
-- fails instead of starting a second event of the order.
--
-- A database that ran several nodes before this rule may hold an order with two events running: all
-- but the oldest go back to waiting, due at once, to run after it.
UPDATE inbox_event SET state = 'waiting', waiting_reason = 'retry', next_attempt_at = now(),
       lease_owner = NULL, lease_until = NULL
 WHERE state = 'processing' AND order_key IS NOT NULL
   AND id NOT IN (SELECT min(id) FROM inbox_event WHERE state = 'processing' AND order_key IS NOT NULL GROUP BY order_key);
CREATE UNIQUE INDEX ux_inbox_event_order_running ON inbox_event (order_key) WHERE state = 'processing';
