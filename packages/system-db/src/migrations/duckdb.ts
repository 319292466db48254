import { type Migration, SEED_SYSTEM_GROUPS } from './migration.js';

/**
 * The DuckDB dialect of the system schema: sequences instead of `serial`, `JSON`
 * instead of `jsonb`, one object per `DROP`. No foreign keys — DuckDB applies an update
 * of a referenced row as delete + insert and refuses it, so integrity lives in the
 * repositories on both backends.
 */
export const duckdbMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'identity and access',
    statements: [
      `CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT,
        password_hash TEXT,
        active BOOLEAN NOT NULL DEFAULT true,
        deactivated_at TIMESTAMPTZ,
        deactivated_by TEXT,
        setup_token_hash TEXT,
        setup_token_expires_at TIMESTAMPTZ,
        reset_token_hash TEXT,
        reset_token_expires_at TIMESTAMPTZ,
        magic_link_token_hash TEXT,
        magic_link_token_expires_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        updated_at TIMESTAMPTZ
      )`,
      `CREATE TABLE user_groups (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT,
        is_system BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
      )`,
      SEED_SYSTEM_GROUPS,
      `CREATE TABLE group_members (
        group_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        source TEXT NOT NULL,
        added_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (group_id, user_id)
      )`,
      `CREATE INDEX group_members_user_idx ON group_members (user_id)`,
      `CREATE TABLE resource_grants (
        group_id TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        granted_by TEXT,
        granted_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (group_id, resource_type, resource_id)
      )`,
      `CREATE INDEX resource_grants_resource_idx ON resource_grants (resource_type, resource_id)`,
      `CREATE TABLE personal_access_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        expires_at TIMESTAMPTZ,
        revoked_at TIMESTAMPTZ,
        last_used_at TIMESTAMPTZ,
        last_used_ip TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
      )`,
      `CREATE INDEX personal_access_tokens_user_idx ON personal_access_tokens (user_id)`,
      `CREATE SEQUENCE audit_log_id_seq`,
      `CREATE TABLE audit_log (
        id BIGINT PRIMARY KEY DEFAULT nextval('audit_log_id_seq'),
        occurred_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        actor TEXT,
        action TEXT NOT NULL,
        target TEXT,
        details JSON
      )`,
      `CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at)`,
    ],
  },
  {
    version: 2,
    name: 'catalog and sync',
    statements: [
      `CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        connector TEXT NOT NULL,
        config JSON NOT NULL,
        schedule TEXT,
        enabled BOOLEAN NOT NULL DEFAULT true,
        created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        updated_at TIMESTAMPTZ
      )`,
      `CREATE TABLE table_registry (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        source_table TEXT,
        query TEXT,
        strategy TEXT NOT NULL,
        query_mode TEXT NOT NULL,
        schedule TEXT,
        primary_key JSON,
        description TEXT,
        config JSON,
        registered_by TEXT,
        registered_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        updated_at TIMESTAMPTZ
      )`,
      `CREATE TABLE table_profiles (
        table_id TEXT PRIMARY KEY,
        profile JSON NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
      )`,
      `CREATE TABLE user_sync_settings (
        user_id TEXT NOT NULL,
        table_id TEXT NOT NULL,
        subscribed BOOLEAN NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (user_id, table_id)
      )`,
      `CREATE TABLE sync_state (
        table_id TEXT PRIMARY KEY,
        last_sync_at TIMESTAMPTZ NOT NULL,
        rows BIGINT,
        size_bytes BIGINT,
        content_hash TEXT,
        query_mode TEXT,
        schema_json JSON
      )`,
      `CREATE SEQUENCE sync_history_id_seq`,
      `CREATE TABLE sync_history (
        id BIGINT PRIMARY KEY DEFAULT nextval('sync_history_id_seq'),
        table_id TEXT NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        outcome TEXT NOT NULL,
        reason TEXT,
        rows BIGINT
      )`,
      `CREATE INDEX sync_history_table_idx ON sync_history (table_id, started_at)`,
    ],
  },
  {
    version: 3,
    name: 'knowledge',
    statements: [
      `CREATE TABLE knowledge_items (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        content TEXT,
        category TEXT,
        tags JSON,
        status TEXT NOT NULL,
        source_user TEXT,
        audience TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        updated_at TIMESTAMPTZ
      )`,
      `CREATE TABLE knowledge_votes (
        item_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        vote INTEGER NOT NULL,
        voted_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (item_id, user_id)
      )`,
    ],
  },
  {
    version: 4,
    name: 'revoked sessions',
    statements: [
      `CREATE TABLE revoked_sessions (
        jti_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        revoked_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
      )`,
    ],
  },
];
