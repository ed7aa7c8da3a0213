-- Scheduled jobs run on one node per tick across every node that shares this database: a node's tick
-- runs the job only when it takes the job's lease (routes/*.yaml: purge, escalations, geocoding sweep,
-- reconciler, each pull endpoint as pull:<id>). One table for all of them; the leases the reconciler
-- and the pull endpoints kept in their own rows move here.
CREATE TABLE job_lease (
    job          VARCHAR(200)  NOT NULL,
    lease_until  TIMESTAMP WITH TIME ZONE,
    owner        VARCHAR(64),
    last_run_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_job_lease PRIMARY KEY (job)
);
ALTER TABLE pull_endpoint DROP COLUMN lease_until;
ALTER TABLE reconciler_state DROP COLUMN lease_until;
