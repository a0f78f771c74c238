-- Up Migration
-- What conversations did, for the help-desk report: ids, scores and labels, never the user's words.
CREATE TABLE analytics_events (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  channel_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  data JSONB NOT NULL
);
CREATE INDEX analytics_events_by_time ON analytics_events (at);
-- The retention job deletes transcripts by time too.
CREATE INDEX transcripts_by_time ON transcripts (at);

-- Down Migration
DROP INDEX transcripts_by_time;
DROP TABLE analytics_events;
