-- Up Migration
-- The outage-spike check counts one kind of event by time.
CREATE INDEX analytics_events_by_kind ON analytics_events (kind, at);
-- The one service notice (help-page banner and the bot's first message), shared by every instance.
CREATE TABLE service_notice (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  text TEXT NOT NULL,
  set_by TEXT NOT NULL,
  set_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
-- Training utterances a lead proposes from redacted transcripts, for the content owner to review.
CREATE TABLE training_suggestions (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  text TEXT NOT NULL,
  intent_id TEXT NOT NULL,
  source TEXT NOT NULL,
  suggested_by TEXT NOT NULL
);

-- Down Migration
DROP TABLE training_suggestions;
DROP TABLE service_notice;
DROP INDEX analytics_events_by_kind;
