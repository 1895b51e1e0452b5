"""The data plane's own tables, registered as migrations of owner ``ntro.data``.

``ingest.*`` holds what reached the tenant (uploaded documents, extractions, records sent by
signal), ``ledgers.periods`` the accounting periods per entity, ``system.cache_*`` the
capability caches and ``system.task_runs`` the finished runs. Subledger types add their ``ledgers.<name>`` tables themselves
(:mod:`ntro.subledger`), the capabilities their ``gl.*`` tables.
"""

from __future__ import annotations

from ntro.data._migrations import register_migrations

__all__ = ["OWNER"]

OWNER = "ntro.data"

_V1 = """
CREATE SCHEMA IF NOT EXISTS ingest;
CREATE SCHEMA IF NOT EXISTS ledgers;
CREATE SCHEMA IF NOT EXISTS system;

CREATE TABLE IF NOT EXISTS ingest.submitted_documents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_slug text NOT NULL,
    period text,
    source text NOT NULL,
    filename text NOT NULL,
    content_type text NOT NULL,
    data_bytes bytea NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    task_id text
);
CREATE INDEX IF NOT EXISTS submitted_documents_entity_source
    ON ingest.submitted_documents (entity_slug, source, uploaded_at DESC);
CREATE INDEX IF NOT EXISTS submitted_documents_task ON ingest.submitted_documents (task_id);

CREATE TABLE IF NOT EXISTS ingest.extracted_payloads (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_slug text NOT NULL,
    period text,
    source text NOT NULL,
    document_ref text,
    schema_slug text NOT NULL,
    payload jsonb NOT NULL,
    corrections jsonb NOT NULL DEFAULT '[]'::jsonb,
    task_id text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS extracted_payloads_entity_source
    ON ingest.extracted_payloads (entity_slug, source, created_at DESC);

CREATE TABLE IF NOT EXISTS ingest.submitted_records (
    id text PRIMARY KEY,
    entity_slug text NOT NULL,
    task_id text,
    kind text NOT NULL,
    source_ref text,
    data jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS submitted_records_task ON ingest.submitted_records (task_id, kind);

CREATE TABLE IF NOT EXISTS ledgers.periods (
    entity_id text NOT NULL,
    period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    status text NOT NULL DEFAULT 'open',
    opened_at timestamptz NOT NULL DEFAULT now(),
    closed_at timestamptz,
    PRIMARY KEY (entity_id, period)
);

CREATE TABLE IF NOT EXISTS system.cache_extract (
    key text PRIMARY KEY,
    schema_slug text,
    model text,
    result jsonb,
    created_at timestamptz DEFAULT now()
);
CREATE TABLE IF NOT EXISTS system.cache_check (
    key text PRIMARY KEY,
    result jsonb,
    created_at timestamptz DEFAULT now()
);
"""

# v2: what the document store keeps beside an upload's bytes, and finished task runs (what
# ``ntro.workflow.task.previous`` answers from).
_V2 = """
ALTER TABLE ingest.submitted_documents
    ADD COLUMN IF NOT EXISTS sha256 text,
    ADD COLUMN IF NOT EXISTS metadata jsonb NOT NULL DEFAULT '{}'::jsonb;

CREATE TABLE IF NOT EXISTS system.task_runs (
    task_id text PRIMARY KEY,
    workflow_slug text NOT NULL,
    entity_id text NOT NULL,
    period text,
    status text NOT NULL DEFAULT 'completed',
    output jsonb,
    finished_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS task_runs_workflow_entity
    ON system.task_runs (workflow_slug, entity_id, period DESC);
"""

# v3: the extract cache keeps each result a second time as zlib-compressed JSON (written with
# ``result`` by ntro.capabilities.ai). A hit reads those ~35 KB for an 800-line statement and
# parses them in one pass with the fields in their order (about 5 ms), where ``result`` would be
# printed by the server and decoded twice (about 15 ms); ``result`` stays the queryable form.
_V3 = """
ALTER TABLE system.cache_extract ADD COLUMN IF NOT EXISTS result_packed bytea;
"""

register_migrations(OWNER, [(1, _V1), (2, _V2), (3, _V3)])
