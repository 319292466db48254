import { DataType, type Field } from 'apache-arrow';
import { Cap, type Connector, hasCap } from '@agnes/connector-kit';
import type { ContractOptions } from '../options.js';
import { canonicalRows } from '../rows.js';
import { DEFAULT_SAMPLE_ROWS, readSample, tablesUnderTest } from '../read-sample.js';
import { ContractViolation } from '../violation.js';

/** The type a column holds: a dictionary counts as its value type (the runtime writes the values). */
function valueType(t: DataType): string {
  return DataType.isDictionary(t) ? String(t.dictionary) : String(t);
}

function describeMismatch(declared: Field[], got: Field[]): string | undefined {
  if (declared.length !== got.length) {
    return `it has ${got.length} column(s) (${got.map((f) => f.name).join(', ')}), declared ${declared.length} (${declared.map((f) => f.name).join(', ')})`;
  }
  for (let i = 0; i < declared.length; i++) {
    const d = declared[i]!;
    const g = got[i]!;
    if (d.name !== g.name) return `column ${i + 1} is "${g.name}", declared "${d.name}"`;
    // A declared dictionary is compared by value type too: either side may encode.
    if (valueType(d.type) !== valueType(g.type)) return `column "${d.name}" is ${String(g.type)}, declared ${String(d.type)}`;
  }
  return undefined;
}

/**
 * Every batch read() yields (up to `sampleRows` rows per table) is an apache-arrow
 * RecordBatch with exactly the declared column names and types, in order (a
 * Dictionary whose value type is the declared type is accepted), and holds no nulls
 * in columns declared not nullable.
 *
 * @example
 * await checkBatchesMatchSchema(connector, { sampleRows: 1_000 });
 */
export async function checkBatchesMatchSchema(connector: Connector, options: ContractOptions = {}): Promise<void> {
  const check = 'batches match schema';
  for (const t of await tablesUnderTest(check, connector, options.tables)) {
    if (!hasCap(t.capabilities, Cap.READ)) continue;
    const batches = await readSample(check, connector, t, options.sampleRows ?? DEFAULT_SAMPLE_ROWS);
    batches.forEach((b, n) => {
      const problem = describeMismatch(t.schema.fields, b.schema.fields);
      if (problem) {
        throw new ContractViolation(check, `table ${t.name}, batch ${n + 1}: ${problem}; build every batch with the schema discover() returns`);
      }
      t.schema.fields.forEach((f, c) => {
        const nulls = b.getChildAt(c)?.nullCount ?? 0;
        if (!f.nullable && nulls > 0) {
          throw new ContractViolation(
            check,
            `table ${t.name}, batch ${n + 1}: column "${f.name}" is declared not nullable but holds ${nulls} null(s); declare it nullable or fill it`,
          );
        }
      });
    });
  }
}

function keyColumns(check: string, table: string, fields: Field[], primaryKey: string[]): number[] {
  return primaryKey.map((k) => {
    const i = fields.findIndex((f) => f.name === k);
    if (i < 0) throw new ContractViolation(check, `table ${table}: primary key column "${k}" is not in its schema`);
    return i;
  });
}

/**
 * Primary keys are unique and non-null over the rows read (up to `sampleRows` per
 * table): the runtime merges and dedupes by them.
 *
 * @example
 * await checkPrimaryKeys(connector);
 */
export async function checkPrimaryKeys(connector: Connector, options: ContractOptions = {}): Promise<void> {
  const check = 'primary keys';
  for (const t of await tablesUnderTest(check, connector, options.tables)) {
    if (!hasCap(t.capabilities, Cap.READ) || !t.primaryKey?.length) continue;
    const pk = t.primaryKey;
    const cols = keyColumns(check, t.name, t.schema.fields, pk);
    const seen = new Set<string>();
    for (const b of await readSample(check, connector, t, options.sampleRows ?? DEFAULT_SAMPLE_ROWS)) {
      // Canonical forms, so equal keys compare equal whatever JS value the getter returns.
      const rows = canonicalRows(b);
      for (let i = 0; i < b.numRows; i++) {
        const values = JSON.parse(rows[i]!) as (string | null)[];
        const key = cols.map((c) => values[c] ?? null);
        if (key.some((v) => v === null)) {
          throw new ContractViolation(check, `table ${t.name}: a row has a null in its primary key (${pk.join(', ')}); key columns must always hold a value`);
        }
        const text = JSON.stringify(key);
        if (seen.has(text)) {
          throw new ContractViolation(check, `table ${t.name}: primary key (${pk.join(', ')}) = ${text} occurs more than once; keys must identify one row`);
        }
        seen.add(text);
      }
    }
  }
}
