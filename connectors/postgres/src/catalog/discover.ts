import { Field, Schema } from 'apache-arrow';
import { Cap, identifierProblem, type Logger, type TableInfo } from '@agnes/connector-kit';
import type pg from 'pg';
import { mapPgError } from '../errors.js';
import { mapPgType, type ValueKind } from './type-mapping.js';

/** One column as the reader needs it. */
export interface ColumnPlan {
  name: string;
  field: Field;
  kind: ValueKind;
  castToText: boolean;
  /** The column type without modifiers (`timestamp with time zone`), to cast cursor values to. */
  baseType: string;
}

/** A discovered table: what the host sees plus where it lives upstream. */
export interface TablePlan {
  info: TableInfo;
  schema: string;
  table: string;
  columns: ColumnPlan[];
}

/** Column names that suggest an "updated at" cursor. */
const INCREMENTAL_NAMES = /^(updated_at|modified_at|updated|modified|last_modified|last_modified_at|updated_on|modified_on|last_updated)$/i;

// pg_catalog rather than information_schema: it has typmods, attnotnull and pg_index in one
// pass and no privilege filtering that hides columns of readable views.
const CATALOG_SQL = `
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       c.relkind::text AS relkind,
       a.attname AS column_name,
       a.attnotnull::text AS not_null,
       t.typname AS typname,
       t.typcategory::text AS category,
       et.typname AS elem_typname,
       a.atttypmod::text AS typmod,
       format_type(a.atttypid, NULL) AS base_type,
       obj_description(c.oid, 'pg_class') AS description,
       (SELECT to_json(array_agg(pa.attname::text ORDER BY k.ord))::text
          FROM pg_index i
          CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute pa ON pa.attrelid = i.indrelid AND pa.attnum = k.attnum
         WHERE i.indrelid = c.oid AND i.indisprimary) AS primary_key
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem
 WHERE n.nspname = ANY($1::text[])
   AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND NOT c.relispartition
 ORDER BY n.nspname, c.relname, a.attnum`;

interface CatalogRow {
  schema_name: string;
  table_name: string;
  relkind: string;
  column_name: string;
  not_null: string;
  typname: string;
  category: string;
  elem_typname: string | null;
  typmod: string;
  base_type: string;
  description: string | null;
  primary_key: string | null;
}

/**
 * The published name of an upstream table: `<table>` in `public`, else `<schema>_<table>`,
 * lower-cased, other characters replaced by `_`, `t_` before a leading digit.
 */
export function publishedName(schema: string, table: string): string {
  const raw = schema === 'public' ? table : `${schema}_${table}`;
  const name = raw.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `t_${name}` : name;
}

/**
 * Tables and views of `schemas` with exact Arrow schemas, primary keys and a suggested
 * incremental key. Names that stay invalid after sanitising, or collide, are skipped with a warning.
 */
export async function discoverTables(client: pg.Client, schemas: readonly string[], only: readonly string[] | undefined, logger: Logger): Promise<TablePlan[]> {
  let rows: CatalogRow[];
  try {
    rows = (await client.query<CatalogRow>(CATALOG_SQL, [schemas])).rows;
  } catch (error) {
    throw mapPgError(error, 'reading the catalog');
  }
  const grouped = new Map<string, CatalogRow[]>();
  for (const r of rows) {
    const key = JSON.stringify([r.schema_name, r.table_name]);
    const list = grouped.get(key) ?? [];
    list.push(r);
    grouped.set(key, list);
  }
  const wanted = only && new Set(only);
  const taken = new Set<string>();
  const plans: TablePlan[] = [];
  for (const cols of grouped.values()) {
    const first = cols[0]!;
    const { schema_name: schema, table_name: table } = first;
    if (wanted && !wanted.has(table) && !wanted.has(`${schema}.${table}`)) continue;
    const name = publishedName(schema, table);
    const problem = identifierProblem(name, 'table');
    if (problem) {
      logger.warn(`skipping ${schema}.${table}: ${problem}`, { schema, table });
      continue;
    }
    if (taken.has(name)) {
      logger.warn(`skipping ${schema}.${table}: its name ${name} is already taken by another table`, { schema, table });
      continue;
    }
    taken.add(name);
    const columns: ColumnPlan[] = cols.map((c) => {
      const mapped = mapPgType({ typname: c.typname, category: c.category, elemTypname: c.elem_typname, typmod: Number(c.typmod) });
      return {
        name: c.column_name,
        field: new Field(c.column_name, mapped.arrow, c.not_null !== 'true'),
        kind: mapped.kind,
        castToText: mapped.castToText,
        baseType: c.base_type,
      };
    });
    const primaryKey = first.primary_key ? (JSON.parse(first.primary_key) as string[]) : undefined;
    const info: TableInfo = {
      name,
      schema: new Schema(columns.map((c) => c.field)),
      capabilities: Cap.READ,
      description: first.description ?? `${first.relkind === 'v' || first.relkind === 'm' ? 'view' : 'table'} ${schema}.${table}`,
    };
    if (primaryKey?.length) {
      info.primaryKey = primaryKey;
      const cursor = columns.find((c) => (c.kind.scalar === 'timestamp' || c.kind.scalar === 'timestamptz') && !c.kind.list && INCREMENTAL_NAMES.test(c.name));
      if (cursor) info.incrementalKey = cursor.name;
    }
    plans.push({ info, schema, table, columns });
  }
  return plans;
}
