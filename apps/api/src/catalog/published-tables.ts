import { readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { DATA_DIR, identifierProblem } from '@agnes/connector-kit';
import { readExtractContents } from '@agnes/connector-runtime';
import type { BuiltTable, RebuildResult } from '@agnes/orchestrator';
import { normalizeTableId } from '@agnes/rbac';

/** One part of a partitioned table. */
export interface TablePart {
  readonly name: string;
  readonly hash: string;
  readonly sizeBytes: number;
  /** Absolute path of the part's parquet file. */
  readonly file: string;
}

/** A table the last rebuild published, with where its bytes are. */
export interface PublishedTable extends BuiltTable {
  /** Absolute path of the parquet file of an unpartitioned local table; null otherwise. */
  readonly file: string | null;
  /** The parts of a partitioned table, sorted by name; null when not partitioned. */
  readonly parts: readonly TablePart[] | null;
}

/**
 * The tables of the current analytics database, by table id (case-insensitive, as DuckDB
 * compares them). Replaced as a whole after each rebuild, so a reader sees either the old
 * or the new set. Every path comes from an extract's `_meta`, resolved inside the extracts
 * folder; nothing a request sends reaches the file system.
 */
export class PublishedTables {
  #tables = new Map<string, PublishedTable>();
  #sorted: PublishedTable[] = [];
  #builtAt: Date | null = null;

  constructor(private readonly extractsDir: string) {}

  /** When the current set was built. */
  get builtAt(): Date | null {
    return this.#builtAt;
  }

  /** Every published table, by id. */
  list(): readonly PublishedTable[] {
    return this.#sorted;
  }

  /** The table named `id` when `id` is a valid table identifier and published; undefined otherwise. */
  get(id: string): PublishedTable | undefined {
    if (identifierProblem(id, 'table') !== undefined) return undefined;
    return this.#tables.get(normalizeTableId(id));
  }

  /** Replaces the set with what a rebuild published. */
  async refresh(result: RebuildResult, builtAt: Date): Promise<void> {
    const root = resolve(this.extractsDir);
    const bySource = new Map<string, BuiltTable[]>();
    for (const table of result.tables) bySource.set(table.source, [...(bySource.get(table.source) ?? []), table]);
    const next = new Map<string, PublishedTable>();
    for (const [source, tables] of bySource) {
      const dir = join(root, source);
      const contents = await readExtractContents(dir);
      const meta = new Map(contents.meta.map((m) => [normalizeTableId(m.tableName), m]));
      const state = new Map(contents.state.map((s) => [normalizeTableId(s.tableName), s]));
      for (const table of tables) {
        const key = normalizeTableId(table.table);
        const row = meta.get(key);
        let file: string | null = null;
        let parts: TablePart[] | null = null;
        if (row?.dataPath && table.queryMode === 'local') {
          if (row.dataPath.includes('*')) {
            parts = await partsOf(dir, table.table, state.get(key)?.parts ?? {});
          } else {
            const candidate = resolve(dir, row.dataPath);
            if (candidate.startsWith(dir + sep)) file = candidate;
          }
        }
        next.set(key, { ...table, file, parts });
      }
    }
    this.#tables = next;
    this.#sorted = [...next.values()].sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
    this.#builtAt = builtAt;
  }
}

async function partsOf(dir: string, table: string, hashes: Record<string, string>): Promise<TablePart[]> {
  const folder = join(dir, DATA_DIR, table);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const parts: TablePart[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.parquet')) continue;
    const part = name.slice(0, -'.parquet'.length);
    const hash = hashes[part];
    // A part without a recorded hash is a flush in progress; it is published with the next commit.
    if (!hash) continue;
    const file = join(folder, name);
    parts.push({ name: part, hash, sizeBytes: (await stat(file)).size, file });
  }
  return parts;
}
