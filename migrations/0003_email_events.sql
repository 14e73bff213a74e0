-- SES event tracking (seed 004): one row per delivery, bounce or complaint notification.
CREATE TABLE email_events (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  inquiry_id    uuid REFERENCES inquiries (id) ON DELETE SET NULL,
  message_id    text NOT NULL,
  email_type    text NOT NULL,
  recipient     text NOT NULL,
  sender        text NOT NULL,
  subject       text,
  event_type    text NOT NULL CHECK (event_type IN ('send', 'delivery', 'bounce', 'complaint', 'reject')),
  bounce_type   text CHECK (bounce_type IN ('permanent', 'transient', 'undetermined')),
  error_message text,
  payload       jsonb NOT NULL DEFAULT '{}',
  occurred_at   timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (message_id, event_type, recipient)
);
CREATE INDEX email_events_inquiry_idx ON email_events (inquiry_id);
CREATE INDEX email_events_type_occurred_idx ON email_events (event_type, occurred_at DESC);
