-- One row per cron slot that fired: the primary key makes each scheduled run happen once however
-- many backend processes run the scheduler (the first INSERT wins, the others see a conflict).
CREATE TABLE cron_runs (
    name        text NOT NULL,
    slot        timestamptz NOT NULL,
    instance    text NOT NULL,
    job_id      uuid REFERENCES sync_jobs (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, slot)
);
