import type { SchemaChange, SchemaJson } from '@agnes/connector-kit';

/** Typed differences from `before` to `after` (added, removed, type and nullability changes). */
export function diffSchemas(table: string, before: SchemaJson | null, after: SchemaJson): SchemaChange[] {
  if (!before) return [];
  const changes: SchemaChange[] = [];
  const old = new Map(before.fields.map((f) => [f.name, f]));
  const now = new Map(after.fields.map((f) => [f.name, f]));
  for (const f of after.fields) {
    const o = old.get(f.name);
    if (!o) {
      changes.push({ table, kind: 'added', column: f.name, type: f.type });
      continue;
    }
    if (o.type !== f.type) changes.push({ table, kind: 'type_changed', column: f.name, from: o.type, to: f.type });
    if (o.nullable !== f.nullable) {
      changes.push({ table, kind: 'nullability_changed', column: f.name, from: o.nullable, to: f.nullable });
    }
  }
  for (const f of before.fields) {
    if (!now.has(f.name)) changes.push({ table, kind: 'removed', column: f.name, type: f.type });
  }
  return changes;
}

/** One line per change, for logs and error messages. */
export function describeChange(c: SchemaChange): string {
  switch (c.kind) {
    case 'added':
      return `${c.table}.${c.column} added (${c.type})`;
    case 'removed':
      return `${c.table}.${c.column} removed (was ${c.type})`;
    case 'type_changed':
      return `${c.table}.${c.column} type ${c.from} → ${c.to}`;
    case 'nullability_changed':
      return `${c.table}.${c.column} ${c.to ? 'now nullable' : 'now NOT NULL'}`;
  }
}
