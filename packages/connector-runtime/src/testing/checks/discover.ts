import { Schema } from 'apache-arrow';
import { Cap, type Connector, capNames, hasCap, identifierProblem, type TableInfo } from '@agnes/connector-kit';
import { discoverTables } from '../read-sample.js';
import { ContractViolation } from '../violation.js';

const CHECK = 'discover';

function isSchema(value: unknown): value is Schema {
  return value instanceof Schema || (typeof value === 'object' && value !== null && Array.isArray((value as Schema).fields));
}

function checkTable(connector: Connector, t: TableInfo): void {
  const problem = identifierProblem(t.name, 'table');
  if (problem) {
    throw new ContractViolation(CHECK, `${problem}. Published names are our identifiers; keep upstream names in config or TableInfo.remote`);
  }
  if (typeof t.capabilities !== 'number' || !Number.isInteger(t.capabilities) || t.capabilities <= 0) {
    throw new ContractViolation(CHECK, `table ${t.name}: capabilities must be Cap flags such as Cap.READ, got ${String(t.capabilities)}`);
  }
  const extra = t.capabilities & ~connector.capabilities;
  if (extra !== 0) {
    throw new ContractViolation(
      CHECK,
      `table ${t.name}: capabilities [${capNames(t.capabilities).join(', ')}] are not a subset of the connector's [${capNames(connector.capabilities).join(', ')}]; drop [${capNames(extra).join(', ')}] from the table or declare it on the connector`,
    );
  }
  if (!isSchema(t.schema)) throw new ContractViolation(CHECK, `table ${t.name}: schema must be an apache-arrow Schema (new Schema([new Field(…)]))`);
  const local = hasCap(t.capabilities, Cap.READ) || hasCap(t.capabilities, Cap.STREAM);
  if (local && t.schema.fields.length === 0) {
    throw new ContractViolation(CHECK, `table ${t.name}: a table read into the extract needs at least one column in its schema`);
  }
  const columns = new Set(t.schema.fields.map((f) => f.name));
  if (t.primaryKey !== undefined && (!Array.isArray(t.primaryKey) || t.primaryKey.length === 0)) {
    throw new ContractViolation(CHECK, `table ${t.name}: primaryKey must be a non-empty array of column names, or left out`);
  }
  const keys: [string, string][] = [
    ...(t.primaryKey ?? []).map((k): [string, string] => ['primaryKey', k]),
    ...(t.incrementalKey !== undefined ? [['incrementalKey', t.incrementalKey] as [string, string]] : []),
    ...(t.partitionKey !== undefined ? [['partitionKey', t.partitionKey] as [string, string]] : []),
  ];
  for (const [what, k] of keys) {
    if (!columns.has(k)) {
      throw new ContractViolation(CHECK, `table ${t.name}: ${what} column "${k}" is not in its schema (columns: ${[...columns].join(', ')})`);
    }
  }
  if (t.incrementalKey !== undefined && !t.primaryKey?.length) {
    throw new ContractViolation(
      CHECK,
      `table ${t.name}: incrementalKey "${t.incrementalKey}" needs a primaryKey, because the runtime dedupes re-read rows by it; declare primaryKey or drop incrementalKey`,
    );
  }
}

/**
 * discover() returns tables with valid identifiers, unique ignoring case, and
 * apache-arrow schemas (at least one column for tables read locally); primary,
 * incremental and partition keys name existing columns; an incremental key comes
 * with a primary key; table capabilities are a subset of the connector's.
 * Resolves to the discovered tables.
 *
 * @example
 * const tables = await checkDiscover(createMyConnector(config));
 */
export async function checkDiscover(connector: Connector): Promise<TableInfo[]> {
  const tables = await discoverTables(CHECK, connector);
  const seen = new Map<string, string>();
  for (const t of tables) {
    if (typeof t !== 'object' || t === null) throw new ContractViolation(CHECK, 'discover() returned an entry that is not a TableInfo object');
    checkTable(connector, t);
    const lower = t.name.toLowerCase();
    const other = seen.get(lower);
    if (other !== undefined) {
      throw new ContractViolation(CHECK, `table names "${other}" and "${t.name}" collide: names are compared case-insensitively (DuckDB does); rename one`);
    }
    seen.set(lower, t.name);
  }
  return tables;
}
