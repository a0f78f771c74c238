-- Up Migration
-- The same data as the SQLite file (src/infra/sqlite/database.ts), for several instances. Times are ISO-8601 text,
-- as the ports hand them over; sequence numbers and versions are bigint.
CREATE TABLE state (
  key TEXT PRIMARY KEY,
  doc TEXT NOT NULL,
  version BIGINT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- last_seq is the conversation's watermark: an append takes the row lock, so numbers are handed out in commit order.
CREATE TABLE dl_conversations (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  last_seq BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE dl_activities (
  conversation_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  activity TEXT NOT NULL,
  client_activity_id TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX dl_by_client_activity ON dl_activities (conversation_id, client_activity_id) WHERE client_activity_id IS NOT NULL;
CREATE TABLE handoff_requests (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'waiting',
  agent_id TEXT,
  packet TEXT NOT NULL,
  reference TEXT,
  agents_thread TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE INDEX handoff_by_conversation ON handoff_requests (channel_id, conversation_id, created_at);
CREATE INDEX handoff_by_status ON handoff_requests (status, created_at);
CREATE INDEX handoff_by_agents_thread ON handoff_requests (agents_thread);
-- One open case per conversation, whichever instance asks (core/handoffCase OPEN_STATUSES).
CREATE UNIQUE INDEX handoff_one_open ON handoff_requests (channel_id, conversation_id) WHERE status IN ('waiting', 'claimed', 'expired');
CREATE TABLE transcripts (
  id BIGSERIAL PRIMARY KEY,
  channel_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  activity TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX transcripts_by_conversation ON transcripts (channel_id, conversation_id, id);
CREATE TABLE agent_sessions (id TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at BIGINT NOT NULL);

-- Down Migration
DROP TABLE agent_sessions;
DROP TABLE transcripts;
DROP TABLE handoff_requests;
DROP TABLE dl_activities;
DROP TABLE dl_conversations;
DROP TABLE settings;
DROP TABLE state;
