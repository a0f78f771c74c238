-- Up Migration
-- Issue 13: why an agent closed a case, and the users' ratings of the help (after the bot or an agent).
ALTER TABLE handoff_requests ADD COLUMN closing_reason TEXT;
CREATE TABLE ratings (
  id TEXT PRIMARY KEY,
  channel_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  after TEXT NOT NULL,
  case_id TEXT,
  procedure_id TEXT,
  asked_at TEXT NOT NULL,
  score INTEGER,
  comment TEXT,
  rated_at TEXT
);
CREATE INDEX ratings_by_conversation ON ratings (channel_id, conversation_id, asked_at);
CREATE INDEX ratings_by_case ON ratings (case_id) WHERE case_id IS NOT NULL;

-- Down Migration
DROP TABLE ratings;
ALTER TABLE handoff_requests DROP COLUMN closing_reason;
