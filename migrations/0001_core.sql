-- Core tables of the consulting platform (seed 004): customer inquiries, the reports generated for them
-- (Bedrock), and the activity log of the admin dashboard.
CREATE TABLE inquiries (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  email       text NOT NULL,
  company     text,
  phone       text,
  services    text[] NOT NULL DEFAULT '{}',
  message     text NOT NULL,
  status      text NOT NULL DEFAULT 'pending'
              CHECK (status IN ('pending', 'processing', 'reviewed', 'responded', 'closed')),
  priority    text NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
  source      text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inquiries_status_created_idx ON inquiries (status, created_at DESC);
CREATE INDEX inquiries_email_idx ON inquiries (lower(email));

CREATE TABLE reports (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  inquiry_id   uuid NOT NULL REFERENCES inquiries (id) ON DELETE CASCADE,
  type         text NOT NULL,
  title        text NOT NULL,
  content      text NOT NULL,
  status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'generated', 'reviewed', 'sent')),
  model_id     text,
  generated_by text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_inquiry_idx ON reports (inquiry_id);

CREATE TABLE activities (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  inquiry_id  uuid REFERENCES inquiries (id) ON DELETE SET NULL,
  type        text NOT NULL,
  description text NOT NULL,
  actor       text,
  metadata    jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activities_inquiry_created_idx ON activities (inquiry_id, created_at DESC);
