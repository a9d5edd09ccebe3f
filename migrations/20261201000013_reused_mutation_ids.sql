-- A device that sends a mutation id again under a new sequence number gets that number answered
-- with a refusal (the id was already used), and the answer is kept like any other: so one id may
-- have two rows, the applied one and the refused one. The lookup by id stays indexed.
ALTER TABLE device_results DROP CONSTRAINT device_results_device_id_mutation_id_key;
CREATE INDEX device_results_mutation_idx ON device_results (device_id, mutation_id);
