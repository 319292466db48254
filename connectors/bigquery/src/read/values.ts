/*
 * Parsers of the JSON texts BigQuery's REST API sends for cell values. None of them
 * passes a value through a JS number except FLOAT64, so INT64, NUMERIC and timestamps
 * stay exact.
 */

/** A value the declared type cannot hold; the reader adds the table, column and row. */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The unscaled integer of a decimal text at `scale` digits after the point
 * (`'12.5'`, 9 → 12500000000n), accepting an exponent (`'1.5E9'`). Digits beyond the
 * scale must be zeros: nothing is rounded.
 */
export function parseUnscaled(text: string, scale: number): bigint {
  const m = DECIMAL.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new ValueError(`${JSON.stringify(text)} is not a decimal number`);
  const digits = `${m[2]}${m[3] ?? ''}`;
  // Position of the decimal point counted from the left of `digits`, after the exponent.
  const point = m[2]!.length + Number(m[4] ?? 0);
  const shift = point - digits.length + scale;
  let unscaled: bigint;
  if (shift >= 0) {
    unscaled = BigInt(digits || '0') * 10n ** BigInt(shift);
  } else {
    const keep = digits.length + shift;
    const dropped = keep > 0 ? digits.slice(keep) : digits;
    if (/[^0]/.test(dropped)) throw new ValueError(`${JSON.stringify(text)} has more than ${scale} digits after the point`);
    unscaled = keep > 0 ? BigInt(digits.slice(0, keep)) : 0n;
  }
  return m[1] === '-' ? -unscaled : unscaled;
}

/** INT64 text → bigint (range-checked). */
export function parseInt64(text: string): bigint {
  if (!/^[+-]?\d+$/.test(text)) throw new ValueError(`${JSON.stringify(text)} is not an INT64`);
  const v = BigInt(text);
  if (v !== BigInt.asIntN(64, v)) throw new ValueError(`${text} is outside the INT64 range`);
  return v;
}

/** FLOAT64 text (`'1.5'`, `'NaN'`, `'Infinity'`, `'-Infinity'`) → number. */
export function parseFloat64(text: string): number {
  const v = Number(text);
  if (Number.isNaN(v) && text !== 'NaN') throw new ValueError(`${JSON.stringify(text)} is not a FLOAT64`);
  return v;
}

/** BOOL text → boolean. */
export function parseBool(text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ValueError(`${JSON.stringify(text)} is not a BOOL`);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (valid for years 1–9999, unlike Date.UTC below 100). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** DATE text `YYYY-MM-DD` → days since the epoch. */
export function parseDate(text: string): number {
  const m = DATE.exec(text);
  if (!m) throw new ValueError(`${JSON.stringify(text)} is not a DATE (YYYY-MM-DD)`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) throw new ValueError(`${JSON.stringify(text)} is not a valid DATE`);
  return daysFromCivil(y, mo, d);
}

const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** TIME text `HH:MM:SS[.ffffff]` → microseconds since midnight. */
export function parseTime(text: string): bigint {
  const m = TIME.exec(text);
  if (!m) throw new ValueError(`${JSON.stringify(text)} is not a TIME (HH:MM:SS[.ffffff])`);
  const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return BigInt(seconds) * 1_000_000n + BigInt((m[4] ?? '').padEnd(6, '0'));
}

/** DATETIME text `YYYY-MM-DD[T ]HH:MM:SS[.ffffff]` → microseconds since the epoch, no zone. */
export function parseDatetime(text: string): bigint {
  const at = text.search(/[T ]/);
  if (at !== 10) throw new ValueError(`${JSON.stringify(text)} is not a DATETIME (YYYY-MM-DDTHH:MM:SS[.ffffff])`);
  return BigInt(parseDate(text.slice(0, 10))) * 86_400_000_000n + parseTime(text.slice(11));
}

/**
 * TIMESTAMP value → microseconds since the epoch (UTC). The connector asks for
 * `formatOptions.useInt64Timestamp`, so values are integer microseconds; the default
 * REST spelling, floating seconds such as `'1.704067200123456E9'`, is read exactly too.
 */
export function parseTimestamp(text: string): bigint {
  if (/^[+-]?\d+$/.test(text)) return BigInt(text);
  try {
    return parseUnscaled(text, 6);
  } catch {
    throw new ValueError(`${JSON.stringify(text)} is not a TIMESTAMP (integer microseconds or seconds since the epoch)`);
  }
}

/** BYTES value (base64) → bytes. */
export function parseBytes(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) throw new ValueError('a BYTES value is not base64');
  return new Uint8Array(Buffer.from(text, 'base64'));
}
