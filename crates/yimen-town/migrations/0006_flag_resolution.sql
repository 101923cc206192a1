-- yimen town schema, version 6: flags are resolved, never deleted (who looked, when, what they
-- decided), and a hall's history the town set aside to accept the hall's own again (a hall
-- restored from an older backup, or one that lost its sealing secret) is kept, not dropped.
ALTER TABLE town.flags ADD COLUMN resolved_at timestamptz;
ALTER TABLE town.flags ADD COLUMN resolution text;
CREATE INDEX flags_open ON town.flags (hall_code) WHERE resolved_at IS NULL;

CREATE TABLE town.superseded_events (
    hall_code     text NOT NULL,
    position      bigint NOT NULL,
    ticket_id     bigint NOT NULL,
    seq           bigint NOT NULL,
    at            timestamptz NOT NULL,
    clerk         text NOT NULL,
    action        text NOT NULL,
    to_status     text NOT NULL,
    prev          text NOT NULL,
    hash          text NOT NULL,
    state         text,
    body          jsonb NOT NULL,
    superseded_at timestamptz NOT NULL,
    reason        text NOT NULL
);
CREATE INDEX superseded_by_hall ON town.superseded_events (hall_code, superseded_at, position);
