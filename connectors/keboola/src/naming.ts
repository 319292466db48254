/** Longest published table name. */
export const MAX_NAME_LENGTH = 64;

/**
 * The published name of a Keboola table: `<stage>_<bucket name>_<table name>`,
 * lower-cased, every character outside `[a-z0-9_]` replaced with `_`, prefixed with
 * `t_` when it would start with a digit or `_` (or be empty), cut to 64 characters.
 *
 * @example
 * sanitizeTableName('in', 'c-crm', 'orders'); // 'in_c_crm_orders'
 */
export function sanitizeTableName(stage: string, bucketName: string, tableName: string): string {
  let name = `${stage}_${bucketName}_${tableName}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (name === '' || /^[0-9_]/.test(name)) name = `t_${name}`;
  return name.slice(0, MAX_NAME_LENGTH);
}

/**
 * Makes names unique ignoring case, in order: a name already taken gets `_2`, `_3`, …
 * (the suffix replaces the end of a 64-character name).
 *
 * @example
 * uniqueNames(['a', 'a', 'b']); // ['a', 'a_2', 'b']
 */
export function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
      const suffix = `_${n}`;
      candidate = name.slice(0, MAX_NAME_LENGTH - suffix.length) + suffix;
    }
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}
