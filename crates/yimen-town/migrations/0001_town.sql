-- yimen town schema, version 1: every hall's audit chain and (masked) ticket records.
--
-- Growth: events and tickets are hash-partitioned by hall (16 partitions), so one hall's rows
-- live together and a county of 300 halls spreads over the partitions evenly; every query of
-- the roll-up names a hall or reads all of them per hall. A county past one server moves the
-- same tables to a distributed PostgreSQL (Citus: distribute by hall_code, which every key
-- begins with) or adds read replicas for the reports (docs/deployment.md).

CREATE TABLE town.halls (
    hall_code     text PRIMARY KEY,
    name          text NOT NULL,
    utc_offset    text NOT NULL,
    -- The next chain position the town expects (it holds 0 … next_position - 1).
    next_position bigint NOT NULL DEFAULT 0,
    -- The hash of the last event held (the genesis hash before the first).
    head          text NOT NULL,
    last_sync     timestamptz
);

CREATE TABLE town.events (
    hall_code  text NOT NULL,
    position   bigint NOT NULL,
    ticket_id  bigint NOT NULL,
    seq        bigint NOT NULL,
    at         timestamptz NOT NULL,
    clerk      text NOT NULL,
    action     text NOT NULL,
    to_status  text NOT NULL,
    prev       text NOT NULL,
    hash       text NOT NULL,
    state      text,
    -- The event whole (its hash covers every field), as JSON.
    body       jsonb NOT NULL,
    PRIMARY KEY (hall_code, position)
) PARTITION BY HASH (hall_code);

CREATE TABLE town.tickets (
    hall_code    text NOT NULL,
    ticket_id    bigint NOT NULL,
    date         date NOT NULL,
    number       text NOT NULL,
    category     text NOT NULL,
    item         text NOT NULL,
    kind         text NOT NULL,
    status       text NOT NULL,
    clerk        text,
    village      text,
    taken_at     timestamptz NOT NULL,
    accepted_at  timestamptz,
    completed_at timestamptz,
    closed_at    timestamptz,
    deadline     date,
    rating       smallint,
    -- The ticket as the hall holds it, names, ID numbers and phones masked.
    record       jsonb NOT NULL,
    PRIMARY KEY (hall_code, ticket_id)
) PARTITION BY HASH (hall_code);

DO $$
BEGIN
    FOR i IN 0..15 LOOP
        EXECUTE format('CREATE TABLE town.events_p%s PARTITION OF town.events FOR VALUES WITH (MODULUS 16, REMAINDER %s)', i, i);
        EXECUTE format('CREATE TABLE town.tickets_p%s PARTITION OF town.tickets FOR VALUES WITH (MODULUS 16, REMAINDER %s)', i, i);
    END LOOP;
END
$$;

-- The roll-up: a hall's day, its open cases, its ratings.
CREATE INDEX tickets_by_day ON town.tickets (hall_code, date);
CREATE INDEX tickets_open ON town.tickets (hall_code, deadline) WHERE status IN ('accepted', 'suspended', 'transferred');
CREATE INDEX events_by_time ON town.events (hall_code, at);

CREATE TABLE town.flags (
    id        bigserial PRIMARY KEY,
    hall_code text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now(),
    kind      text NOT NULL,
    position  bigint,
    ticket_id bigint,
    detail    text NOT NULL
);
CREATE INDEX flags_by_hall ON town.flags (hall_code);
