import { basename, extname } from 'node:path';
import { identifierProblem } from '@agnes/connector-kit';

/**
 * The one rule that turns a file name into a table name: the name without its
 * extension, lower-cased; every character outside `[a-z0-9_]` becomes `_`; a
 * leading digit (or an empty or `_`-leading result, reserved for contract tables)
 * gets a `t_` prefix; cut to 64 characters. A name the kit reserves because it would
 * shadow DuckDB's catalog (`range`, `pg_stats`, `duckdb_tables`) also gets the prefix.
 *
 * @example
 * sanitizeTableName('seattle-weather.csv'); // 'seattle_weather'
 * sanitizeTableName('2024 Sales.parquet');  // 't_2024_sales'
 * sanitizeTableName('range.csv');           // 't_range'
 */
export function sanitizeTableName(fileName: string): string {
  const stem = basename(fileName, extname(fileName)).toLowerCase();
  let name = stem.replace(/[^a-z0-9_]/g, '_');
  if (name === '' || /^[0-9_]/.test(name)) name = `t_${name}`;
  name = name.slice(0, 64);
  return identifierProblem(name, 'table') === undefined ? name : `t_${name}`.slice(0, 64);
}

/**
 * Table names for files, in file-name order: collisions after sanitising get
 * `_2`, `_3`, … (the suffix replaces the end of a name at the 64-character limit).
 */
export function assignTableNames(files: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const file of [...files].sort()) {
    const base = sanitizeTableName(file);
    let name = base;
    for (let n = 2; taken.has(name); n++) {
      const suffix = `_${n}`;
      name = base.slice(0, 64 - suffix.length) + suffix;
    }
    taken.add(name);
    out.set(name, file);
  }
  return out;
}
