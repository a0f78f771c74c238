-- Up Migration
-- The agent console's live events, numbered for Last-Event-ID; kept a day.
CREATE TABLE console_events (
  id BIGSERIAL PRIMARY KEY,
  event TEXT NOT NULL,
  data TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX console_events_by_time ON console_events (at);

-- Down Migration
DROP TABLE console_events;
