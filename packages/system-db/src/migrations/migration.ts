/**
 * One schema step. Both backends list the same versions with the same names; only the
 * SQL dialect differs. Statements run in order inside one transaction, one statement per
 * string (DuckDB refuses `DROP TABLE a, b`).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/** Rows of the seeded system groups; the ids are fixed so code can name them. */
export const SEED_SYSTEM_GROUPS = `INSERT INTO user_groups (id, name, description, is_system) VALUES
  ('admin', 'Admin', 'Members administer Agnes: users, groups, grants, sources and tables.', true),
  ('everyone', 'Everyone', 'Every user is a member; a grant to this group opens a table to all.', true)`;
