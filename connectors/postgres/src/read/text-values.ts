/**
 * Exact parsers for PostgreSQL's text output (with `DateStyle = ISO`, `bytea_output = hex`).
 * Nothing passes through a JS float except float4/float8 themselves.
 */

/** Thrown for a value the declared Arrow type cannot hold; the reader turns it into a RecordError. */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

const MICROS_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (astronomical year: 1 BC is 0). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const DATE = /^(\d{4,})-(\d{2})-(\d{2})( BC)?$/;
const TIMESTAMP = /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?( BC)?$/;

function astronomicalYear(digits: string, bc: string | undefined): number {
  const y = Number(digits);
  return bc ? 1 - y : y;
}

/** `2024-02-29` (or `0044-03-15 BC`) → days since the epoch. */
export function parseDate(text: string): number {
  const m = DATE.exec(text);
  if (!m) throw new ValueError(`date ${JSON.stringify(text)} has no day number (infinite or unexpected format)`);
  return daysFromCivil(astronomicalYear(m[1]!, m[4]), Number(m[2]), Number(m[3]));
}

/**
 * `2024-01-01 10:00:00.5+05:30` → microseconds since the epoch (UTC). Without an offset
 * the wall-clock value is taken as is (naive `timestamp`).
 */
export function parseTimestampMicros(text: string): bigint {
  const m = TIMESTAMP.exec(text);
  if (!m) throw new ValueError(`timestamp ${JSON.stringify(text)} has no instant (infinite or unexpected format)`);
  const days = daysFromCivil(astronomicalYear(m[1]!, m[12]), Number(m[2]), Number(m[3]));
  const seconds = Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]);
  const fraction = m[7] ? BigInt(m[7].padEnd(6, '0')) : 0n;
  let micros = BigInt(days) * MICROS_PER_DAY + BigInt(seconds) * 1_000_000n + fraction;
  if (m[8]) {
    const offset = Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0);
    micros -= BigInt(m[8] === '-' ? -offset : offset) * 1_000_000n;
  }
  return micros;
}

/**
 * `-12345.6700` → the unscaled integer at `scale` (here -123456700n at scale 4), exactly.
 * NaN and ±Infinity have no decimal value and throw.
 */
export function parseDecimalUnscaled(text: string, scale: number): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && !m[3])) throw new ValueError(`numeric ${text} has no decimal value`);
  const fraction = m[3] ?? '';
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) {
    throw new ValueError(`numeric ${text} has more than ${scale} digits after the point`);
  }
  const digits = (m[2] || '0') + fraction.slice(0, scale).padEnd(scale, '0');
  const unscaled = BigInt(digits);
  return m[1] === '-' ? -unscaled : unscaled;
}

/** `\x0a0b` → its bytes. */
export function parseBytea(text: string): Uint8Array {
  if (!text.startsWith('\\x')) throw new ValueError('bytea is not in hex output format (set bytea_output = hex)');
  return Uint8Array.from(Buffer.from(text.slice(2), 'hex'));
}

/** `t` / `f` → boolean. */
export function parseBool(text: string): boolean {
  return text === 't' || text === 'true';
}

/**
 * A one-dimensional array literal (`{1,NULL,"a,b","q\"x"}`) → its element texts, `null`
 * for SQL NULL. Multi-dimensional arrays throw: they have no `List<scalar>` value.
 */
export function parseArrayText(text: string): (string | null)[] {
  let s = text;
  // Arrays with non-default bounds print a `[2:3]=` prefix.
  if (s.startsWith('[')) s = s.slice(s.indexOf('=') + 1);
  if (!s.startsWith('{') || !s.endsWith('}')) throw new ValueError(`array ${JSON.stringify(text.slice(0, 40))} is not an array literal`);
  const out: (string | null)[] = [];
  if (s === '{}') return out;
  let i = 1;
  const end = s.length - 1;
  while (i <= end) {
    const ch = s[i];
    if (ch === '{') throw new ValueError('multi-dimensional arrays are not supported (declare a List of scalars)');
    if (ch === '"') {
      let value = '';
      i++;
      while (i < end && s[i] !== '"') {
        if (s[i] === '\\') i++;
        value += s[i];
        i++;
      }
      out.push(value);
      i++; // closing quote
    } else {
      let j = i;
      while (j < end && s[j] !== ',') j++;
      const raw = s.slice(i, j).trim();
      out.push(raw === 'NULL' ? null : raw);
      i = j;
    }
    if (s[i] === ',' || s[i] === '}') i++;
  }
  return out;
}
