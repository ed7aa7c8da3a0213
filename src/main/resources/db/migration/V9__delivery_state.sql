-- Speed: an inbox event's delivery state lives in a narrow table of its own, and inbox_event is
-- written once, by the intake.
--
-- In H2 every UPDATE removes its row from every index of its table and adds it back, whether or not an
-- indexed column changed (docs/performance.md, flows). Each claim and outcome of an event updated its
-- inbox_event row, and so rewrote entries in all four of that table's indexes, two of them keyed at
-- random ((sender, event_id) and (order_key, id)), beside the row and its raw body. They now update a
-- row of inbox_delivery, keyed by the event's id, with one index, (state, id), which the dispatcher reads.
--
-- One inbox_delivery row per inbox_event row, with the same id, written in the intake's transaction and
-- deleted with it (InboxPurge). No foreign key: its check would cost every insert a lookup, and the two
-- rows are only ever written together.
CREATE TABLE inbox_delivery (
    id              BIGINT        NOT NULL,
    -- received | processing | waiting | done | dead | unrouted | discarded
    state           VARCHAR(16)   NOT NULL,
    -- the event's order_key, copied (it never changes): the claims read an order's states by it
    order_key       VARCHAR(200),
    attempts        INTEGER       DEFAULT 0 NOT NULL,
    -- bumped by a replay: attempts are counted within one generation
    generation      INTEGER       DEFAULT 0 NOT NULL,
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    lease_owner     VARCHAR(100),
    lease_until     TIMESTAMP WITH TIME ZONE,
    -- why a waiting event waits: 'retry' (keeps its place in its order) or 'prerequisite' (steps aside)
    waiting_reason  VARCHAR(16),
    -- when the event first waited for a prerequisite (it gives up after a while)
    parked_since    TIMESTAMP WITH TIME ZONE,
    -- per-order sequence number given to this event's CRM delta (PICK.PARTIAL), stable across retries
    order_sequence  INTEGER,
    finished_at     TIMESTAMP WITH TIME ZONE,
    -- JSON object: the processing outcome so far, returned with a duplicate
    outcome         VARCHAR(4000),
    CONSTRAINT pk_inbox_delivery PRIMARY KEY (id)
);

INSERT INTO inbox_delivery (id, state, order_key, attempts, generation, next_attempt_at, lease_owner, lease_until,
                            waiting_reason, parked_since, order_sequence, finished_at, outcome)
SELECT id, state, order_key, attempts, generation, next_attempt_at, lease_owner, lease_until,
       waiting_reason, parked_since, order_sequence, finished_at, outcome
  FROM inbox_event;

-- the dispatcher takes received events oldest first, and the gauges count the backlog by state
CREATE INDEX ix_inbox_delivery_state ON inbox_delivery (state, id);

DROP INDEX ix_inbox_event_state;
-- PostgreSQL's one-event-running-per-order rule (db/postgresql) moves with the state
DROP INDEX IF EXISTS ux_inbox_event_order_running;
ALTER TABLE inbox_event DROP COLUMN state;
ALTER TABLE inbox_event DROP COLUMN attempts;
ALTER TABLE inbox_event DROP COLUMN generation;
ALTER TABLE inbox_event DROP COLUMN next_attempt_at;
ALTER TABLE inbox_event DROP COLUMN lease_owner;
ALTER TABLE inbox_event DROP COLUMN lease_until;
ALTER TABLE inbox_event DROP COLUMN waiting_reason;
ALTER TABLE inbox_event DROP COLUMN parked_since;
ALTER TABLE inbox_event DROP COLUMN order_sequence;
ALTER TABLE inbox_event DROP COLUMN finished_at;
ALTER TABLE inbox_event DROP COLUMN outcome;
