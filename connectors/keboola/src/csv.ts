/**
 * An incremental RFC 4180 parser: comma separated, `"` quoted fields, `""` as an
 * escaped quote, CR, LF or CRLF line ends, and line breaks inside quoted fields.
 * Text may arrive in chunks split anywhere (even inside a quote or a CRLF).
 *
 * @example
 * const parser = new CsvParser();
 * const rows = [...parser.push('a,"b\n'), ...parser.push('c"\n'), ...parser.end()]; // [['a', 'b\nc']]
 */
export class CsvParser {
  private field = '';
  private row: string[] = [];
  private inQuotes = false;
  /** A quote seen inside a quoted field: either an escaped quote or the closing one. */
  private quotePending = false;
  /** The previous chunk ended with CR: a leading LF belongs to the same line end. */
  private skipLf = false;
  /** Something (a field character, a quote, a comma) was seen on the current row. */
  private rowStarted = false;

  /** Parses `chunk` and returns the rows it completed. */
  push(chunk: string): string[][] {
    const rows: string[][] = [];
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.skipLf) {
        this.skipLf = false;
        if (chunk.charCodeAt(i) === 10) {
          i++;
          continue;
        }
      }
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (chunk.charCodeAt(i) === 34) {
            this.field += '"';
            i++;
            continue;
          }
          this.inQuotes = false;
          continue; // re-read this character outside quotes
        }
        const q = chunk.indexOf('"', i);
        if (q === -1) {
          this.field += chunk.slice(i);
          i = n;
        } else {
          this.field += chunk.slice(i, q);
          this.quotePending = true;
          i = q + 1;
        }
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === 44) {
        this.row.push(this.field);
        this.field = '';
        this.rowStarted = true;
        i++;
      } else if (c === 10 || c === 13) {
        if (this.rowStarted || this.field.length > 0) {
          this.row.push(this.field);
          rows.push(this.row);
        }
        this.row = [];
        this.field = '';
        this.rowStarted = false;
        i++;
        if (c === 13) {
          if (i < n) {
            if (chunk.charCodeAt(i) === 10) i++;
          } else {
            this.skipLf = true;
          }
        }
      } else if (c === 34 && this.field.length === 0) {
        this.inQuotes = true;
        this.rowStarted = true;
        i++;
      } else {
        // Plain run up to the next delimiter, line end or quote.
        let j = i + 1;
        while (j < n) {
          const d = chunk.charCodeAt(j);
          if (d === 44 || d === 10 || d === 13) break;
          j++;
        }
        this.field += chunk.slice(i, j);
        this.rowStarted = true;
        i = j;
      }
    }
    return rows;
  }

  /** Ends the input: returns the last row when the text did not end with a line break. */
  end(): string[][] {
    if (this.inQuotes && !this.quotePending) {
      throw new SyntaxError('CSV ended inside a quoted field');
    }
    this.inQuotes = false;
    this.quotePending = false;
    this.skipLf = false;
    if (!this.rowStarted && this.field.length === 0) return [];
    this.row.push(this.field);
    const last = this.row;
    this.row = [];
    this.field = '';
    this.rowStarted = false;
    return [last];
  }
}
