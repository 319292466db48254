/** A query result with JSON-safe, exact values (BIGINT, HUGEINT, DECIMAL as strings). */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly types: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
  readonly row_count: number;
  readonly truncated: boolean;
}

/** The output formats of `da query`. */
export type QueryFormat = 'table' | 'csv' | 'json';

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = cell(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/** Renders a result; the value text is never rounded (exact strings stay exact). */
export function formatResult(result: QueryResult, format: QueryFormat): string {
  if (format === 'json') {
    return JSON.stringify({ ...result, rows: result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c, r[i] ?? null]))) }, null, 2);
  }
  if (format === 'csv') {
    return [result.columns.map(csvCell).join(','), ...result.rows.map((r) => r.map(csvCell).join(','))].join('\n');
  }
  const text = result.rows.map((r) => r.map(cell));
  const widths = result.columns.map((c, i) => Math.max(c.length, ...text.map((r) => (r[i] ?? '').length)));
  const right = result.types.map((t) => NUMERIC.test(t));
  const line = (cells: readonly string[]) => cells.map((c, i) => (right[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ');
  const lines = [line(result.columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...text.map(line)];
  lines.push(`(${result.row_count} row${result.row_count === 1 ? '' : 's'}${result.truncated ? ', truncated: raise --limit to see more' : ''})`);
  return lines.join('\n');
}
