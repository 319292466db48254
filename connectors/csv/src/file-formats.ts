import { quoteLiteral } from '@agnes/connector-kit';
import { open, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** How DuckDB is asked to read a file. */
export type FileFormat = 'csv' | 'tsv' | 'parquet' | 'json' | 'ndjson';

const EXTENSIONS: Readonly<Record<string, FileFormat>> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.parquet': 'parquet',
  '.json': 'json',
  '.jsonl': 'ndjson',
  '.ndjson': 'ndjson',
};

/** Bytes read to tell a `.json` file of records from a single document. */
const SNIFF_BYTES = 64 * 1024;


/** The DuckDB table function call that reads `file` with type auto-detection. */
export function scanSql(format: FileFormat, file: string): string {
  switch (format) {
    case 'csv':
      return `read_csv(${quoteLiteral(file)})`;
    case 'tsv':
      return `read_csv(${quoteLiteral(file)}, delim = '\t')`;
    case 'parquet':
      return `read_parquet(${quoteLiteral(file)})`;
    case 'json':
      return `read_json(${quoteLiteral(file)}, format = 'array')`;
    case 'ndjson':
      return `read_json(${quoteLiteral(file)}, format = 'newline_delimited')`;
  }
}

/** Every file under `dir` (sub-folders only when `recursive`), unsorted. */
export async function listFiles(dir: string, recursive: boolean): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) out.push(...(await listFiles(path, true)));
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      out.push(path);
    }
  }
  return out;
}

async function head(file: string, bytes: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

function isObjectText(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/**
 * A `.json` file is a table when it holds an array of objects, or one object per
 * line with at least two lines (NDJSON). A single document — TopoJSON, GeoJSON, a
 * config object, pretty-printed or on one line — is not: reading it would give one
 * row of nested columns, which is never what a folder of data files means.
 */
async function sniffJson(file: string): Promise<FileFormat | { skip: string }> {
  const text = (await head(file, SNIFF_BYTES)).trimStart();
  if (text.startsWith('[')) {
    return text.slice(1).trimStart().startsWith('{') ? 'json' : { skip: 'a JSON array that is empty or does not hold objects' };
  }
  if (text.startsWith('{')) {
    const nl = text.indexOf('\n');
    const first = nl < 0 ? text : text.slice(0, nl);
    const rest = nl < 0 ? '' : text.slice(nl + 1).trimStart();
    if (isObjectText(first) && rest.startsWith('{')) return 'ndjson';
    return { skip: 'a single JSON document, not records (for one-record NDJSON, name the file .jsonl)' };
  }
  return { skip: 'not JSON records' };
}

/**
 * The format of a file, judged by its extension (and, for `.json`, its first bytes),
 * or the reason it is not a table.
 */
export async function detectFormat(file: string): Promise<FileFormat | { skip: string }> {
  const ext = extname(file).toLowerCase();
  const format = EXTENSIONS[ext];
  if (!format) return { skip: `not a tabular file type (${ext || 'no extension'})` };
  return format === 'json' ? sniffJson(file) : format;
}
