-- yimen town schema, version 4: a 差评 still awaiting its follow-up is marked on its row, so
-- the daily report reads a hall's open follow-ups from a small index instead of every bad
-- rating the hall ever had (which grows with its history).
ALTER TABLE town.tickets ADD COLUMN follow_up_open boolean NOT NULL DEFAULT false;
UPDATE town.tickets SET follow_up_open = true
 WHERE rating BETWEEN 1 AND 2
   AND jsonb_typeof(record->'rating'->'follow_up_due') = 'string'
   AND NOT coalesce(record->'rating'->'follow_up' @> '[{"step": "report"}]'::jsonb, false);
DROP INDEX town.tickets_bad_ratings;
CREATE INDEX tickets_follow_ups ON town.tickets (hall_code) WHERE follow_up_open;
