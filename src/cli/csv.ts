// SPDX-License-Identifier: BSD-3-Clause
// CSV as dosekit writes it: RFC 4180 quoting, and text cells that a spreadsheet would run as a
// formula defused with a leading single quote (OWASP's rule for CSV injection).

/** A number already formatted as text (e.g. with a fixed number of decimals): written as is, never escaped. */
export interface CsvNumberText {
  readonly csvNumber: string;
}

/** Marks `text` as a formatted number (see {@link CsvNumberText}). */
export function csvNumber(text: string): CsvNumberText {
  return { csvNumber: text };
}

/** What a CSV writer does with text cells. */
export interface CsvOptions {
  /**
   * Prefix text cells that start with `=`, `+`, `-`, `@`, a tab or a carriage return with `'`, so
   * that a spreadsheet shows them instead of running them as formulas (default true). Numbers are
   * never changed.
   */
  readonly escapeFormulas?: boolean;
}

/** The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field: a number as JavaScript prints it ('' when not finite), text with a `'` in front
 * when it could run as a formula (unless `escapeFormulas` is false), then quoted when it holds a
 * comma, quote or line break (RFC 4180).
 */
export function csvField(value: unknown, options: CsvOptions = {}): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'object' && value !== null && 'csvNumber' in value) return String((value as CsvNumberText).csvNumber);
  let text = String(value);
  if (options.escapeFormulas !== false && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line from fields. */
export function csvLine(fields: readonly unknown[], options: CsvOptions = {}): string {
  return `${fields.map((field) => csvField(field, options)).join(',')}\n`;
}

/**
 * The records of CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks), each
 * a list of fields, with `complete` false when the text ends inside a quoted field or without
 * the line break that ends every record dosekit writes.
 */
export function parseCsvRecords(text: string): { records: string[][]; complete: boolean } {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    started = true;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      started = false;
    } else if (c !== '\r' || text[i + 1] !== '\n') field += c;
  }
  if (started) {
    record.push(field);
    records.push(record);
  }
  return { records, complete: !quoted && !started };
}
