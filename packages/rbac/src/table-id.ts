/**
 * Folds a table id to the key used for comparison: DuckDB identifiers are
 * case-insensitive, so `Orders`, `orders` and `ORDERS` name one table.
 *
 * Only ASCII letters are folded, as DuckDB does. Folding more than the engine (e.g.
 * Unicode-aware `toLowerCase`) could let a grant on one table authorize a query on a
 * different table the engine keeps apart; folding less only ever denies.
 *
 * @example
 * normalizeTableId('Sales_2024'); // 'sales_2024'
 */
export function normalizeTableId(id: string): string {
  return id.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

/** The id of a {@link TableRef}. */
export function tableIdOf(table: string | { readonly id: string }): string {
  return typeof table === 'string' ? table : table.id;
}
