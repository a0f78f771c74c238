-- Up Migration
-- Cases findable and their history kept (issue 13): the help desk's own record as JSON (open to more keys), a
-- lower-cased search column read with LIKE (escaped input, bounded by LIMIT), and every event of a case.
ALTER TABLE handoff_requests ADD COLUMN details TEXT;
ALTER TABLE handoff_requests ADD COLUMN search_text TEXT;
UPDATE handoff_requests SET search_text = lower(id || ' ' || packet);
CREATE INDEX handoff_by_created ON handoff_requests (created_at);
CREATE INDEX handoff_by_agent ON handoff_requests (agent_id, created_at);
CREATE TABLE case_events (
  id BIGSERIAL PRIMARY KEY,
  case_id TEXT NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  agent_id TEXT,
  data TEXT NOT NULL
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);

-- Down Migration
DROP TABLE case_events;
DROP INDEX handoff_by_agent;
DROP INDEX handoff_by_created;
ALTER TABLE handoff_requests DROP COLUMN search_text;
ALTER TABLE handoff_requests DROP COLUMN details;
