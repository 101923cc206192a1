-- yimen town schema, version 2: what a hall's reports need besides its records — the holiday
-- years it imported (working days and deadlines) — so the town computes each hall's figures
-- with the hall's own definitions.
ALTER TABLE town.halls ADD COLUMN calendar jsonb NOT NULL DEFAULT '{}'::jsonb;
