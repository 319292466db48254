import { DataType, type Field } from 'apache-arrow';
import { Cap, type Connector, hasCap, quoteIdent } from '@agnes/connector-kit';
import { openExtract } from '../../extract/reader.js';
import { ConnectorRuntime } from '../../runtime.js';
import type { ContractOptions } from '../options.js';
import { readSample, tablesUnderTest } from '../read-sample.js';
import { ContractViolation } from '../violation.js';
import { scratchExtract } from './pipeline.js';

/** A cursor value later than any real one, in the column's own string form. */
export function futureCursor(field: Field): string {
  const t = field.type;
  if (DataType.isTimestamp(t)) return '9999-12-31T23:59:59.000000Z';
  if (DataType.isDate(t)) return '9999-12-31';
  if (DataType.isInt(t) || DataType.isFloat(t) || DataType.isDecimal(t)) return '9223372036854775807';
  return '\uffff';
}

/**
 * Incremental reads (needs `addRows`): a second run after `n` new source rows adds
 * exactly those rows without duplicating keys; read() with a future cursor yields
 * no rows.
 */
export async function checkIncremental(connector: Connector, options: ContractOptions): Promise<void> {
  const check = 'incremental';
  const addRows = options.addRows;
  if (!addRows) return;
  const tables = (await tablesUnderTest(connector, options.tables)).filter(
    (t) => hasCap(t.capabilities, Cap.READ) && t.incrementalKey && t.primaryKey?.length,
  );
  for (const t of tables) {
    const keyField = t.schema.fields.find((f) => f.name === t.incrementalKey)!;
    const future = await readSample(check, connector, t, undefined, {
      incrementalKey: t.incrementalKey!,
      incrementalValue: futureCursor(keyField),
    });
    const futureRows = future.reduce((a, b) => a + b.numRows, 0);
    if (futureRows > 0) {
      throw new ContractViolation(check, `table ${t.name}: read() with incrementalValue in the far future yielded ${futureRows} row(s); yield only rows with ${t.incrementalKey} ≥ incrementalValue`);
    }
    const scratch = scratchExtract();
    try {
      const runtime = new ConnectorRuntime(scratch.dir);
      let stats = await runtime.run(connector, { tables: { [t.name]: { strategy: 'upsert' } } });
      if (stats.errors.length) throw new ContractViolation(check, `first run failed: ${stats.errors[0]!.message}`);
      const before = stats.totalRows;
      const added = 3;
      await addRows(t.name, added);
      let read = 0;
      stats = await runtime.run(connector, {
        tables: { [t.name]: { strategy: 'upsert' } },
        onProgress: (e) => {
          if (e.phase === 'read') read = e.rows;
        },
      });
      if (stats.errors.length) throw new ContractViolation(check, `second run failed: ${stats.errors[0]!.message}`);
      if (read >= before + added && before > added) {
        throw new ContractViolation(check, `table ${t.name}: the second run read ${read} rows — everything again; honour incrementalValue`);
      }
      const reader = await openExtract(scratch.dir);
      try {
        const pk = t.primaryKey!.map(quoteIdent).join(', ');
        const [r] = await reader.query(`SELECT count(*) AS n, count(DISTINCT (${pk})) AS k FROM ${quoteIdent(t.name)}`);
        const n = Number(r?.n);
        const k = Number(r?.k);
        if (n !== before + added) {
          throw new ContractViolation(check, `table ${t.name}: after adding ${added} rows the view has ${n} rows, expected ${before + added}`);
        }
        if (k !== n) throw new ContractViolation(check, `table ${t.name}: ${n - k} duplicate primary key(s) after the incremental run`);
      } finally {
        reader.close();
      }
    } finally {
      scratch.dispose();
    }
  }
}
