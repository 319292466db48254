import { Schema } from 'apache-arrow';
import { Cap, type Connector, hasCap, identifierProblem, type TableInfo } from '@agnes/connector-kit';
import { ContractViolation } from '../violation.js';

/**
 * discover() returns valid, unique (case-insensitive) identifiers with Arrow
 * schemas; keys name existing columns; table capabilities are a subset of the
 * connector's. Returns the tables.
 */
export async function checkDiscover(connector: Connector): Promise<TableInfo[]> {
  const check = 'discover';
  if (typeof connector.discover !== 'function') throw new ContractViolation(check, 'the connector has no discover()');
  const tables = await connector.discover();
  const seen = new Map<string, string>();
  for (const t of tables) {
    const problem = identifierProblem(t.name, 'table');
    if (problem) throw new ContractViolation(check, problem);
    const lower = t.name.toLowerCase();
    if (seen.has(lower)) {
      throw new ContractViolation(check, `table names "${seen.get(lower)}" and "${t.name}" collide (names are compared case-insensitively)`);
    }
    seen.set(lower, t.name);
    const isSchema = t.schema instanceof Schema || (t.schema && Array.isArray((t.schema as Schema).fields));
    if (!isSchema) throw new ContractViolation(check, `table ${t.name}: schema must be an apache-arrow Schema`);
    const local = hasCap(t.capabilities, Cap.READ) || hasCap(t.capabilities, Cap.STREAM);
    if (local && t.schema.fields.length === 0) throw new ContractViolation(check, `table ${t.name}: a readable table needs at least one column`);
    const columns = new Set(t.schema.fields.map((f) => f.name));
    for (const k of [...(t.primaryKey ?? []), ...(t.incrementalKey ? [t.incrementalKey] : []), ...(t.partitionKey ? [t.partitionKey] : [])]) {
      if (!columns.has(k)) throw new ContractViolation(check, `table ${t.name}: key column "${k}" is not in its schema`);
    }
    if ((t.capabilities & ~connector.capabilities) !== 0) {
      throw new ContractViolation(check, `table ${t.name}: its capabilities are not a subset of the connector's`);
    }
    if (t.incrementalKey && !(t.primaryKey?.length)) {
      throw new ContractViolation(check, `table ${t.name}: an incremental key needs a primary key (the runtime dedupes by it)`);
    }
  }
  return tables;
}
