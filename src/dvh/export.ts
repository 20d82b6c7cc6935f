// SPDX-License-Identifier: BSD-3-Clause
/**
 * Lossless JSON and CSV forms of a DVH. Numbers are written with JavaScript's shortest
 * round-trip representation, so parsing them back gives the identical doubles.
 */
import { DosekitError } from '../errors.js';
import { requireString } from '../validate.js';
import {
  DVH_DOSE_UNITS,
  DVH_LOOKUPS,
  DVH_TYPES,
  DVH_VOLUME_UNITS,
  type DvhDoseUnits,
  type DvhLookup,
  type DvhType,
  type DvhVolumeUnits,
} from './statistics.js';

/** Format tag written into every DVH JSON document. */
export const DVH_JSON_FORMAT = 'dosekit-dvh';
/** Version of the DVH JSON / CSV layout. */
export const DVH_JSON_VERSION = 1;

/**
 * The plain-data form of a DVH (what `DVH.toJSON()` returns and `DVH.fromJSON()` accepts).
 * `bins` are the N+1 bin edges in `doseUnits`; `counts` the N values in `volumeUnits`;
 * `rxDose` is the prescription dose in Gy.
 */
export interface DvhJson {
  readonly format: typeof DVH_JSON_FORMAT;
  readonly version: number;
  readonly type: DvhType;
  readonly doseUnits: DvhDoseUnits;
  readonly volumeUnits: DvhVolumeUnits;
  readonly lookup: DvhLookup;
  readonly counts: readonly number[];
  readonly bins: readonly number[];
  readonly rxDose?: number;
  readonly name?: string;
  readonly color?: readonly [number, number, number];
  readonly notes?: string;
  /** Exact [min, max] dose in doseUnits, when known (see DvhInit.doseRange). */
  readonly doseRange?: readonly [number, number];
}

function invalid(message: string): DosekitError {
  return new DosekitError('E_INVALID_DVH', message);
}

function numberArray(value: unknown, field: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number')) {
    throw invalid(`DVH JSON field "${field}" must be an array of numbers`);
  }
  return value as number[];
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) throw invalid(`DVH JSON field "${field}" must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  return value as T;
}

/**
 * Checks the shape of a parsed DVH JSON document (or parses a JSON string first) and returns it typed.
 * Value checks (lengths, monotonic bins, non-negative counts) happen in the DVH constructor.
 * @throws DosekitError `E_INVALID_DVH` naming the offending field.
 */
export function parseDvhJson(input: unknown): DvhJson {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new DosekitError('E_INVALID_DVH', `DVH JSON is not valid JSON: ${(error as Error).message}`, {}, { cause: error });
    }
  }
  if (typeof value !== 'object' || value === null) throw invalid('DVH JSON must be an object');
  const o = value as Record<string, unknown>;
  if (o.format !== DVH_JSON_FORMAT) throw invalid(`DVH JSON field "format" must be "${DVH_JSON_FORMAT}"`);
  if (o.version !== DVH_JSON_VERSION) throw invalid(`DVH JSON version ${String(o.version)} is not supported (expected ${DVH_JSON_VERSION})`);
  const out: {
    -readonly [K in keyof DvhJson]: DvhJson[K];
  } = {
    format: DVH_JSON_FORMAT,
    version: DVH_JSON_VERSION,
    type: oneOf(o.type, DVH_TYPES, 'type'),
    doseUnits: oneOf(o.doseUnits, DVH_DOSE_UNITS, 'doseUnits'),
    volumeUnits: oneOf(o.volumeUnits, DVH_VOLUME_UNITS, 'volumeUnits'),
    lookup: o.lookup === undefined ? 'interpolate' : oneOf(o.lookup, DVH_LOOKUPS, 'lookup'),
    counts: numberArray(o.counts, 'counts'),
    bins: numberArray(o.bins, 'bins'),
  };
  if (o.rxDose !== undefined) {
    if (typeof o.rxDose !== 'number') throw invalid('DVH JSON field "rxDose" must be a number (Gy)');
    out.rxDose = o.rxDose;
  }
  if (o.name !== undefined) {
    if (typeof o.name !== 'string') throw invalid('DVH JSON field "name" must be a string');
    out.name = o.name;
  }
  if (o.notes !== undefined) {
    if (typeof o.notes !== 'string') throw invalid('DVH JSON field "notes" must be a string');
    out.notes = o.notes;
  }
  if (o.color !== undefined) {
    const color = numberArray(o.color, 'color');
    if (color.length !== 3) throw invalid('DVH JSON field "color" must be [r, g, b]');
    out.color = [color[0]!, color[1]!, color[2]!];
  }
  if (o.doseRange !== undefined) {
    const range = numberArray(o.doseRange, 'doseRange');
    if (range.length !== 2) throw invalid('DVH JSON field "doseRange" must be [min, max]');
    out.doseRange = [range[0]!, range[1]!];
  }
  return out;
}

const UNIT_TOKEN: Record<string, string> = { Gy: 'Gy', cGy: 'cGy', '%': 'pct', cm3: 'cm3' };

function unitFromToken(token: string): string | undefined {
  return Object.keys(UNIT_TOKEN).find((key) => UNIT_TOKEN[key] === token);
}

/**
 * A spreadsheet splits a metadata line at commas (semicolons in some locales), and a cell that
 * starts with =, +, -, @ runs as a formula (CSV injection, OWASP). In the JSON text of a string,
 * such a separator is written as its JSON escape (\u002c, \u003b), which JSON.parse reads back
 * as the same character: names and notes stay exact, and no cell starts a formula.
 */
function defuseFormulas(json: string): string {
  return json.replace(/[,;](?=[=+\-@\t\r])/g, (separator) => (separator === ',' ? '\\u002c' : '\\u003b'));
}

/**
 * CSV text of a DVH: optional `# key: <JSON value>` metadata lines (name, rxDose in Gy, color,
 * notes, lookup), then a header `dose_low_<u>,dose_high_<u>,<type>_volume_<v>` (units Gy, cGy,
 * pct or cm3) and one row per bin: its lower edge, upper edge and count. Lines end with `\n`.
 * A comma or semicolon in a metadata value that a spreadsheet would split into a formula cell
 * is written as its JSON escape (the value reads back exactly).
 */
export function dvhToCsv(dvh: DvhJson): string {
  // The document is checked as parseDvhJson checks it, so a wrong value fails here, not half-written.
  dvh = parseDvhJson(dvh);
  if (dvh.bins.length !== dvh.counts.length + 1) throw invalid(`DVH JSON has ${dvh.counts.length} counts and ${dvh.bins.length} bins; bins must be the ${dvh.counts.length + 1} bin edges`);
  const lines: string[] = [`# ${DVH_JSON_FORMAT} ${DVH_JSON_VERSION}`];
  for (const key of ['name', 'rxDose', 'color', 'notes', 'lookup', 'doseRange'] as const) {
    const value = dvh[key];
    // Only strings: in them every comma is text (in an array it separates numbers).
    if (value !== undefined) lines.push(`# ${key}: ${typeof value === 'string' ? defuseFormulas(JSON.stringify(value)) : JSON.stringify(value)}`);
  }
  const du = UNIT_TOKEN[dvh.doseUnits]!;
  lines.push(`dose_low_${du},dose_high_${du},${dvh.type}_volume_${UNIT_TOKEN[dvh.volumeUnits]!}`);
  for (let i = 0; i < dvh.counts.length; i++) lines.push(`${dvh.bins[i]!},${dvh.bins[i + 1]!},${dvh.counts[i]!}`);
  return lines.map((line) => `${line}\n`).join('');
}

const HEADER = /^dose_low_(Gy|cGy|pct),dose_high_(Gy|cGy|pct),(cumulative|differential)_volume_(cm3|pct)$/;

/**
 * Parses text written by {@link dvhToCsv} (comment lines are optional; `\r\n` is accepted) back into
 * the plain-data form.
 * @throws DosekitError `E_INVALID_DVH` for a missing or unknown header, a malformed row, a non-numeric
 *   value or bins whose edges do not join up.
 */
export function parseDvhCsv(text: string): DvhJson {
  requireString(text, 'text');
  const meta: Record<string, unknown> = {};
  const rows: string[] = [];
  let header: RegExpExecArray | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*(name|rxDose|color|notes|lookup|doseRange):\s*(.*)$/.exec(line);
      if (m) {
        try {
          meta[m[1]!] = JSON.parse(m[2]!);
        } catch {
          throw invalid(`DVH CSV metadata line "${line}" does not hold a JSON value`);
        }
      }
      continue;
    }
    if (header === null) {
      header = HEADER.exec(line);
      if (header === null) throw invalid(`DVH CSV header "${line}" is not dose_low_<Gy|cGy|pct>,dose_high_<same>,<cumulative|differential>_volume_<cm3|pct>`);
      if (header[1] !== header[2]) throw invalid('DVH CSV header uses two different dose units');
      continue;
    }
    rows.push(line);
  }
  if (header === null) throw invalid('DVH CSV has no header line');
  const counts: number[] = [];
  const bins: number[] = [];
  rows.forEach((line, index) => {
    const cells = line.split(',');
    const values = cells.map((cell) => (cell.trim() === '' ? NaN : Number(cell)));
    if (cells.length !== 3 || values.some((v) => Number.isNaN(v))) throw invalid(`DVH CSV row ${index + 1} ("${line}") must hold three numbers`);
    if (index === 0) bins.push(values[0]!);
    else if (values[0] !== bins[bins.length - 1]) throw invalid(`DVH CSV row ${index + 1}: its lower edge ${values[0]} does not equal the previous upper edge`);
    bins.push(values[1]!);
    counts.push(values[2]!);
  });
  return parseDvhJson({
    ...meta,
    format: DVH_JSON_FORMAT,
    version: DVH_JSON_VERSION,
    type: header[3],
    doseUnits: unitFromToken(header[1]!),
    volumeUnits: unitFromToken(header[4]!),
    counts,
    bins,
  });
}
