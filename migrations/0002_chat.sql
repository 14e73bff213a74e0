-- Real-time chat (seed 004): one session per visitor conversation, its messages in order.
CREATE TABLE chat_sessions (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  inquiry_id       uuid REFERENCES inquiries (id) ON DELETE SET NULL,
  user_name        text,
  user_email       text,
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed', 'expired')),
  metadata         jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  last_activity_at timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz
);
CREATE INDEX chat_sessions_status_activity_idx ON chat_sessions (status, last_activity_at DESC);

CREATE TABLE chat_messages (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id  uuid NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
  type        text NOT NULL CHECK (type IN ('user', 'assistant', 'system')),
  content     text NOT NULL,
  status      text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'delivered', 'read', 'failed')),
  metadata    jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_messages_session_created_idx ON chat_messages (session_id, created_at);
