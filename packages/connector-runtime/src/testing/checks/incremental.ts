import { DataType, type Field } from 'apache-arrow';
import { Cap, type Connector, hasCap, quoteIdent, type TableInfo } from '@agnes/connector-kit';
import { openExtract } from '../../extract/reader.js';
import { ConnectorRuntime } from '../../runtime.js';
import type { ContractOptions } from '../options.js';
import { DEFAULT_SAMPLE_ROWS, readSample, tablesUnderTest } from '../read-sample.js';
import { ContractViolation } from '../violation.js';
import { runOrViolation, scratchExtract } from './scratch.js';

const CHECK = 'incremental';

/** Rows the check adds through `addRows` between its two runs. */
export const INCREMENTAL_ROWS_ADDED = 3;

/**
 * A cursor value after any real one, spelled the way the runtime passes
 * `incrementalValue` for that column type: ISO 8601 (with `Z` only when the
 * timestamp has a zone), `YYYY-MM-DD`, a number's text, or U+FFFF for text.
 *
 * @example
 * futureCursor(new Field('updated_at', new TimestampMicrosecond('UTC'))); // '9999-12-31T23:59:59.999999Z'
 */
export function futureCursor(field: Field): string {
  const t = field.type as DataType;
  if (DataType.isTimestamp(t)) return t.timezone ? '9999-12-31T23:59:59.999999Z' : '9999-12-31T23:59:59.999999';
  if (DataType.isDate(t)) return '9999-12-31';
  if (DataType.isInt(t) || DataType.isFloat(t) || DataType.isDecimal(t)) return '9223372036854775807';
  return '\uffff';
}

async function checkFutureCursorYieldsNothing(connector: Connector, t: TableInfo, options: ContractOptions): Promise<void> {
  const key = t.incrementalKey!;
  const field = t.schema.fields.find((f) => f.name === key);
  if (!field) throw new ContractViolation(CHECK, `table ${t.name}: incrementalKey "${key}" is not in its schema`);
  const value = futureCursor(field);
  const batches = await readSample(CHECK, connector, t, options.sampleRows ?? DEFAULT_SAMPLE_ROWS, { incrementalKey: key, incrementalValue: value });
  const rows = batches.reduce((a, b) => a + b.numRows, 0);
  if (rows > 0) {
    throw new ContractViolation(
      CHECK,
      `table ${t.name}: read() with incrementalValue ${JSON.stringify(value)} (later than any row) yielded ${rows} row(s); yield only rows whose ${key} ≥ incrementalValue`,
    );
  }
}

async function checkTwoRuns(connector: Connector, t: TableInfo, addRows: NonNullable<ContractOptions['addRows']>): Promise<void> {
  const scratch = scratchExtract();
  try {
    const runtime = new ConnectorRuntime(scratch.dir);
    const tables = { [t.name]: { strategy: 'upsert' as const } };
    const first = await runOrViolation(CHECK, `table ${t.name}, first run`, runtime, connector, { tables });
    const before = first.totalRows;
    await addRows(t.name, INCREMENTAL_ROWS_ADDED);
    await runOrViolation(CHECK, `table ${t.name}, run after addRows`, runtime, connector, { tables });
    const reader = await openExtract(scratch.dir);
    try {
      const name = quoteIdent(t.name);
      const pk = t.primaryKey!.map(quoteIdent).join(', ');
      const [count] = await reader.query(`SELECT count(*) AS n FROM ${name}`);
      const [dupes] = await reader.query(`SELECT count(*) AS n FROM (SELECT ${pk} FROM ${name} GROUP BY ${pk} HAVING count(*) > 1)`);
      const n = Number(count?.n);
      const expected = before + INCREMENTAL_ROWS_ADDED;
      if (Number(dupes?.n) > 0) {
        throw new ContractViolation(CHECK, `table ${t.name}: ${Number(dupes?.n)} primary key(s) occur more than once after the incremental run; keys must identify one row`);
      }
      if (n !== expected) {
        throw new ContractViolation(
          CHECK,
          `table ${t.name}: after addRows(${INCREMENTAL_ROWS_ADDED}) the view has ${n} rows, expected ${before} + ${INCREMENTAL_ROWS_ADDED} = ${expected}. ` +
            `Yield every row whose ${t.incrementalKey} ≥ incrementalValue, and have addRows give new rows cursor values at or after the existing ones`,
        );
      }
    } finally {
      reader.close();
    }
  } finally {
    scratch.dispose();
  }
}

/**
 * Incremental reads, for every readable table with an `incrementalKey` and a
 * `primaryKey` (needs `options.addRows`; without it the check does nothing):
 * read() with a far-future `incrementalValue` yields no rows; a run, `addRows(table,
 * 3)`, and a second run leave the view with the first run's rows plus 3 and no
 * duplicate keys. Re-reading some older rows (a look-back window) is allowed: the
 * runtime dedupes by primary key.
 *
 * @example
 * await checkIncremental(connector, { addRows: (table, n) => fake.insert(table, n) });
 */
export async function checkIncremental(connector: Connector, options: ContractOptions = {}): Promise<void> {
  const addRows = options.addRows;
  if (!addRows) return;
  const all = await tablesUnderTest(CHECK, connector, options.tables);
  const tables = all.filter((t) => hasCap(t.capabilities, Cap.READ) && t.incrementalKey !== undefined && t.primaryKey?.length);
  if (tables.length === 0) {
    throw new ContractViolation(
      CHECK,
      'options.addRows is given but no readable table declares both incrementalKey and primaryKey; declare them on the incremental tables or drop addRows',
    );
  }
  for (const t of tables) {
    await checkFutureCursorYieldsNothing(connector, t, options);
    await checkTwoRuns(connector, t, addRows);
  }
}
