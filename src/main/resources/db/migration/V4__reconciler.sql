-- The reconciler's persisted watermark and its last run, one row per polled system.
CREATE TABLE reconciler_state (
    id            VARCHAR(32)  NOT NULL,
    watermark     VARCHAR(64),
    last_run_at   TIMESTAMP WITH TIME ZONE,
    -- ok | failed
    last_status   VARCHAR(16),
    last_error    VARCHAR(1000),
    orders_seen   INTEGER,
    orders_fed    INTEGER,
    -- one node at a time runs it
    lease_until   TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_reconciler_state PRIMARY KEY (id)
);
INSERT INTO reconciler_state (id) VALUES ('crm');
