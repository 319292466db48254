/*
 * The benchmark's source table: `agnes_bench.rows_<n>`, filled server-side with
 * generate_series. It is kept between runs (keyed by row count) because building 5M rows
 * costs far more than reading them; every other object the bench makes is temporary.
 */
import pg from 'pg';

/** The schema that holds the cached bench tables; nothing else lives there. */
export const BENCH_SCHEMA = 'agnes_bench';

/** What {@link ensureBenchTable} found or built. */
export interface BenchTable {
  schema: string;
  table: string;
  rows: number;
  /** Heap + indexes + TOAST, from pg_total_relation_size. */
  bytes: number;
  /** Seconds spent building it, or null when it was already there. */
  builtSecs: number | null;
}

/*
 * Deterministic (no random()) so every run reads the same bytes. Multiplying by a large
 * odd constant scatters values the way real keys-to-values do, so parquet does not get an
 * unrealistically easy, sorted column. Each nullable column has its own NULL period.
 */
function fillSql(qualified: string, rows: number): string {
  return `
INSERT INTO ${qualified}
SELECT
  g,
  CASE WHEN g % 17 = 0 THEN NULL ELSE ((g * 7919) % 100000)::integer END,
  CASE WHEN g % 23 = 0 THEN NULL
       ELSE (((g * 2654435761) % 10000000000) / 100.0)::numeric(18,2) * CASE WHEN g % 5 = 0 THEN -1 ELSE 1 END END,
  CASE WHEN g % 19 = 0 THEN NULL ELSE ((g * 2654435761) % 1000003)::double precision / 7 END,
  CASE WHEN g % 11 = 0 THEN NULL
       ELSE 'item ' || g || ' ' || left(repeat(md5(g::text), 3), ((g * 37) % 80)::integer) END,
  timestamptz '2020-01-01 00:00:00+00'
    + ((g * 7919) % 157680000) * interval '1 second'
    + (g % 1000000) * interval '1 microsecond',
  CASE WHEN g % 13 = 0 THEN NULL ELSE date '2020-01-01' + ((g * 31) % 2000)::integer END,
  CASE WHEN g % 29 = 0 THEN NULL ELSE g % 3 <> 0 END
FROM generate_series(1::bigint, ${rows}::bigint) AS g`;
}

/**
 * Returns the cached table for `rows`, building it first when absent. The build runs in
 * one transaction, so an interrupted build leaves nothing that a later run would trust.
 */
export async function ensureBenchTable(url: string, rows: number): Promise<BenchTable> {
  const table = `rows_${rows}`;
  const qualified = `"${BENCH_SCHEMA}"."${table}"`;
  const client = new pg.Client({ connectionString: url, application_name: 'agnes-connector-postgres-bench' });
  await client.connect();
  try {
    await client.query('SET statement_timeout = 0');
    const exists = (await client.query<{ r: string | null }>('SELECT to_regclass($1) AS r', [`${BENCH_SCHEMA}.${table}`])).rows[0]!.r !== null;
    let builtSecs: number | null = null;
    if (!exists) {
      const t0 = performance.now();
      await client.query('BEGIN');
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${BENCH_SCHEMA}"`);
      await client.query(`
CREATE TABLE ${qualified} (
  id bigint NOT NULL,
  quantity integer,
  amount numeric(18,2),
  score double precision,
  label text,
  created_at timestamptz NOT NULL,
  day date,
  active boolean
)`);
      await client.query(fillSql(qualified, rows));
      // Built after the fill: one sort instead of 5M index insertions.
      await client.query(`ALTER TABLE ${qualified} ADD PRIMARY KEY (id)`);
      await client.query('COMMIT');
      // Freezing sets the hint bits now; otherwise whichever measurement scans first
      // pays for writing them and the comparison is skewed.
      await client.query(`VACUUM (FREEZE, ANALYZE) ${qualified}`);
      builtSecs = (performance.now() - t0) / 1000;
    }
    const bytes = Number((await client.query<{ b: string }>('SELECT pg_total_relation_size($1::regclass) AS b', [`${BENCH_SCHEMA}.${table}`])).rows[0]!.b);
    return { schema: BENCH_SCHEMA, table, rows, bytes, builtSecs };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
