-- yimen town schema, version 3: each hall's finished days' report totals, cached as the hall
-- caches them (MessagePack of `Totals`), so the year to date costs one row a day, not a day's
-- records. A sync that brings a change to a ticket removes the cached days from that ticket's
-- day on (every day it counts on is that day or later).
CREATE TABLE town.day_totals (
    hall_code text NOT NULL,
    day       date NOT NULL,
    totals    bytea NOT NULL,
    PRIMARY KEY (hall_code, day)
);
CREATE INDEX tickets_bad_ratings ON town.tickets (hall_code) WHERE rating <= 2;
