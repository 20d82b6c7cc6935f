// SPDX-License-Identifier: BSD-3-Clause

/** One CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line from fields. */
export function csvLine(fields: readonly unknown[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}
