import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '@agnes/connector-kit';
import type { PublishedTable } from '../catalog/published-tables.js';

/** Column statistics of one table, as `SUMMARIZE` reports them. */
export interface TableProfileData {
  readonly rows: number;
  readonly columns: {
    readonly name: string;
    readonly type: string;
    readonly min: string | null;
    readonly max: string | null;
    readonly distinct: number | null;
    readonly nullPercent: number | null;
  }[];
  readonly profiledAt: string;
}

/**
 * Profiles local tables with DuckDB's `SUMMARIZE` over their parquet files, on DuckDB's
 * own threads (the event loop only awaits). Remote tables are not profiled: that would
 * scan the warehouse.
 */
export async function profileTables(tables: readonly PublishedTable[], now: Date): Promise<Map<string, TableProfileData>> {
  const profiles = new Map<string, TableProfileData>();
  const local = tables.filter((t) => t.file !== null || (t.parts !== null && t.parts.length > 0));
  if (local.length === 0) return profiles;
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', threads: '2' });
  const conn = await instance.connect();
  try {
    for (const table of local) {
      const files = table.file ? [table.file] : (table.parts ?? []).map((p) => p.file);
      const source = `read_parquet([${files.map(quoteLiteral).join(', ')}])`;
      const reader = await conn.runAndReadAll(`SUMMARIZE SELECT * FROM ${source}`);
      const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
      const count = Number(rows[0]?.count ?? 0);
      profiles.set(table.table, {
        rows: count,
        columns: rows.map((r) => ({
          name: String(r.column_name),
          type: String(r.column_type),
          min: r.min === null || r.min === undefined ? null : String(r.min),
          max: r.max === null || r.max === undefined ? null : String(r.max),
          distinct: r.approx_unique === null || r.approx_unique === undefined ? null : Number(r.approx_unique),
          nullPercent: r.null_percentage === null || r.null_percentage === undefined ? null : Number(r.null_percentage),
        })),
        profiledAt: now.toISOString(),
      });
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return profiles;
}
