// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';

/**
 * A dcmjs naturalized dataset: keyword -> value. Only src/dicom sees this shape.
 * Values may be strings, numbers, arrays of either, nested datasets (sequences arrive as an
 * object or an array of objects), person-name objects, or binary buffers.
 */
export type NaturalDataset = Record<string, unknown>;

/** Reading context: the file label used in messages. */
export interface ReadContext {
  readonly file?: string;
}

function where(ctx: ReadContext): string {
  return ctx.file ? `${ctx.file}: ` : '';
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** The attribute as a trimmed string, or undefined when absent or empty. */
export function optionalString(ds: NaturalDataset, keyword: string): string | undefined {
  const value = firstOf(ds[keyword]);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') {
    const pn = value as { Alphabetic?: unknown };
    if (typeof pn.Alphabetic === 'string') return pn.Alphabetic.trim() || undefined;
    return undefined;
  }
  const text = String(value).replace(/\0+$/, '').trim();
  return text === '' ? undefined : text;
}

/** All values of a multi-valued string attribute (e.g. ImageType). */
export function stringList(ds: NaturalDataset, keyword: string): string[] {
  const value = ds[keyword];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : String(value).split('\\');
  return list.map((v) => String(v).trim());
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value.trim());
  return Number.NaN;
}

/**
 * A numeric attribute that is present but empty or unreadable: dcmjs turns a decimal or integer
 * string it cannot parse into null, which must not read as "absent" where a value is required.
 */
export function presentButUnreadable(ds: NaturalDataset, keyword: string): boolean {
  const raw = ds[keyword];
  return raw === null || (Array.isArray(raw) && raw.length > 0 && raw.every((v) => v === null));
}

/** A number that must be a readable value whenever the attribute is present (null from dcmjs is an error). */
export function strictOptionalNumber(ds: NaturalDataset, keyword: string, ctx: ReadContext): number | undefined {
  if (presentButUnreadable(ds, keyword)) {
    throw new DosekitError('E_MALFORMED_DICOM', `${where(ctx)}${keyword} is present but empty or not a number; the file is damaged or non-conformant.`, {
      file: ctx.file,
      attribute: keyword,
    });
  }
  return optionalNumber(ds, keyword, ctx);
}

/** The first numeric value, or undefined when absent. Throws E_MALFORMED_DICOM when present but not a number. */
export function optionalNumber(ds: NaturalDataset, keyword: string, ctx: ReadContext): number | undefined {
  const raw = ds[keyword];
  if (raw === undefined || raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0)) return undefined;
  const value = toNumber(firstOf(raw));
  if (!Number.isFinite(value)) {
    throw new DosekitError('E_MALFORMED_DICOM', `${where(ctx)}${keyword} is not a finite number (${JSON.stringify(firstOf(raw))}); the file is damaged or non-conformant.`, {
      file: ctx.file,
      attribute: keyword,
    });
  }
  return value;
}

/** All numeric values (a bare number becomes a one-element list), or undefined when absent. */
export function optionalNumberList(ds: NaturalDataset, keyword: string, ctx: ReadContext): number[] | undefined {
  const raw = ds[keyword];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split('\\') : [raw];
  const values = list.map(toNumber);
  if (values.some((v) => !Number.isFinite(v))) {
    throw new DosekitError('E_MALFORMED_DICOM', `${where(ctx)}${keyword} holds a value that is not a finite number; the file is damaged or non-conformant.`, {
      file: ctx.file,
      attribute: keyword,
    });
  }
  return values;
}

function missing(ctx: ReadContext, keyword: string, what: string): DosekitError {
  return new DosekitError(
    'E_MISSING_ATTRIBUTE',
    `${where(ctx)}required attribute ${keyword} is missing (${what}); the file cannot be used without it. Re-export it from the planning system.`,
    { file: ctx.file, attribute: keyword },
  );
}

/** A required string attribute. */
export function requiredString(ds: NaturalDataset, keyword: string, ctx: ReadContext, what: string): string {
  const value = optionalString(ds, keyword);
  if (value === undefined) throw missing(ctx, keyword, what);
  return value;
}

/** A required number attribute. */
export function requiredNumber(ds: NaturalDataset, keyword: string, ctx: ReadContext, what: string): number {
  const value = optionalNumber(ds, keyword, ctx);
  if (value === undefined) throw missing(ctx, keyword, what);
  return value;
}

/** A required numeric list with exactly `length` values (any length when omitted). */
export function requiredNumberList(ds: NaturalDataset, keyword: string, ctx: ReadContext, what: string, length?: number): number[] {
  const values = optionalNumberList(ds, keyword, ctx);
  if (values === undefined || values.length === 0) throw missing(ctx, keyword, what);
  if (length !== undefined && values.length !== length) {
    throw new DosekitError('E_MALFORMED_DICOM', `${where(ctx)}${keyword} has ${values.length} values, expected ${length} (${what}).`, {
      file: ctx.file,
      attribute: keyword,
    });
  }
  return values;
}

/** The items of a sequence (dcmjs gives one item as an object, several as an array). */
export function sequence(ds: NaturalDataset, keyword: string): NaturalDataset[] {
  const value = ds[keyword];
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.filter((item): item is NaturalDataset => typeof item === 'object' && item !== null && !ArrayBuffer.isView(item) && Object.prototype.toString.call(item) !== '[object ArrayBuffer]');
}

/** True when the attribute is present with a non-empty value. */
export function has(ds: NaturalDataset, keyword: string): boolean {
  const value = ds[keyword];
  return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
}
