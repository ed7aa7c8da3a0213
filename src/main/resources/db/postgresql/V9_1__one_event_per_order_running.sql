-- PostgreSQL only: the rule of V7_1 (per order at most one event runs at a time, across every node)
-- on the table that now holds the state (V9).
CREATE UNIQUE INDEX ux_inbox_delivery_order_running ON inbox_delivery (order_key) WHERE state = 'processing';
