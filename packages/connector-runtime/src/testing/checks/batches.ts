import { DataType, type Field, type RecordBatch } from 'apache-arrow';
import { Cap, type Connector, hasCap } from '@agnes/connector-kit';
import type { ContractOptions } from '../options.js';
import { canonicalRows } from '../rows.js';
import { readSample, tablesUnderTest } from '../read-sample.js';
import { ContractViolation } from '../violation.js';

function typeName(t: DataType): string {
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
    if (typeName(d.type) !== typeName(g.type)) return `column "${d.name}" is ${typeName(g.type)}, declared ${typeName(d.type)}`;
  }
  return undefined;
}

/** Every batch has exactly the declared columns and types; non-nullable columns hold no nulls. */
export async function checkBatchesMatchSchema(connector: Connector, options: ContractOptions = {}): Promise<void> {
  const check = 'batches match schema';
  for (const t of await tablesUnderTest(connector, options.tables)) {
    if (!hasCap(t.capabilities, Cap.READ)) continue;
    const batches = await readSample(check, connector, t, options.sampleRows ?? 10_000);
    batches.forEach((b, n) => {
      const problem = describeMismatch(t.schema.fields, b.schema.fields);
      if (problem) throw new ContractViolation(check, `table ${t.name}, batch ${n + 1}: ${problem}; yield batches built with the schema discover() returns`);
      t.schema.fields.forEach((f, c) => {
        const nulls = b.getChildAt(c)?.nullCount ?? 0;
        if (!f.nullable && nulls > 0) {
          throw new ContractViolation(check, `table ${t.name}, batch ${n + 1}: column "${f.name}" is declared NOT NULL but holds ${nulls} null(s)`);
        }
      });
    });
  }
}

function keyOf(batch: RecordBatch, row: number, columns: number[]): unknown[] {
  return columns.map((c) => batch.getChildAt(c)?.get(row) ?? null);
}

/** Primary keys are unique and non-null over the rows read. */
export async function checkPrimaryKeys(connector: Connector, options: ContractOptions = {}): Promise<void> {
  const check = 'primary keys';
  for (const t of await tablesUnderTest(connector, options.tables)) {
    if (!hasCap(t.capabilities, Cap.READ) || !t.primaryKey?.length) continue;
    const cols = t.primaryKey.map((k) => t.schema.fields.findIndex((f) => f.name === k));
    const seen = new Set<string>();
    for (const b of await readSample(check, connector, t, options.sampleRows ?? 10_000)) {
      const canon = canonicalRows(b);
      for (let i = 0; i < b.numRows; i++) {
        const key = keyOf(b, i, cols);
        if (key.some((v) => v === null || v === undefined)) {
          throw new ContractViolation(check, `table ${t.name}: a row has a null in primary key (${t.primaryKey.join(', ')})`);
        }
        const parsed = JSON.parse(canon[i]!) as unknown[];
        const text = JSON.stringify(cols.map((c) => parsed[c]));
        if (seen.has(text)) throw new ContractViolation(check, `table ${t.name}: primary key ${text} occurs more than once`);
        seen.add(text);
      }
    }
  }
}
