-- Speed: every index on inbox_event is paid by each accepted webhook's insert and commit.
--
-- The row is keyed by its id (the order events were received in), and (sender, event_id), the
-- idempotency record, becomes a unique constraint: still one row per key, one insert, one commit.
-- On H2 a table created empty stores its rows by a single BIGINT primary key, which spares the
-- separate unique index on id that every insert had to check.
ALTER TABLE inbox_event DROP CONSTRAINT pk_inbox_event;
ALTER TABLE inbox_event DROP CONSTRAINT uq_inbox_event_id;
ALTER TABLE inbox_event ADD CONSTRAINT pk_inbox_event PRIMARY KEY (id);
ALTER TABLE inbox_event ADD CONSTRAINT uq_inbox_event_key UNIQUE (sender, event_id);
-- Expired leases are found through ix_inbox_event_due (state first; few events are 'processing'),
-- so the lease index only cost the intake.
DROP INDEX ix_inbox_event_lease;
-- The dispatcher takes received events oldest first: (state, id) hands them over in that order
-- without reading the rest of the backlog, and a new event's entry goes at the end of it. Waiting
-- and processing events are few; their times are checked on the rows.
DROP INDEX ix_inbox_event_due;
CREATE INDEX ix_inbox_event_state ON inbox_event (state, id);
