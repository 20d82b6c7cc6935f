// SPDX-License-Identifier: BSD-3-Clause
/**
 * Text reports of a DVH: `describe()` and `compare()` in dicompyler-core's exact layout, and the
 * Python-compatible fixed-point formatter they need.
 */
import { DosekitError } from '../errors.js';
import type { DVH } from './dvh.js';
import { requireDvh } from './dvh-arguments.js';
import { checkGammaOptions, compareDvhCurves, type DvhDifferences, type DvhGamma, type DvhGammaOptions } from './dvh-gamma.js';
import type { DvhDoseUnits, DvhType, DvhUnits, DVHValue, DvhVolumeUnits } from './statistics.js';

/**
 * Formats `x` with `digits` decimals exactly as Python's `format(x, '.{digits}f')` (or `'+.{digits}f'`
 * when `plusSign` is true): rounding works on the exact binary value and ties go to the even digit
 * (JavaScript's `toFixed` rounds ties up), and negative zero keeps its sign.
 */
export function formatFixed(x: number, digits: number, plusSign = false): string {
  if (Number.isNaN(x)) return plusSign ? '+nan' : 'nan';
  const negative = x < 0 || Object.is(x, -0);
  const sign = negative ? '-' : plusSign ? '+' : '';
  const magnitude = Math.abs(x);
  if (!Number.isFinite(magnitude)) return `${sign}inf`;
  if (magnitude >= 1e21) return sign + magnitude.toFixed(digits);
  // toFixed(100) is the exact decimal expansion for every double >= 1e-30, which covers every tie.
  const exact = magnitude.toFixed(100);
  const dot = exact.indexOf('.');
  const kept = exact.slice(0, dot) + exact.slice(dot + 1, dot + 1 + digits);
  const rest = exact.slice(dot + 1 + digits);
  let roundUp = rest[0]! > '5' || (rest[0] === '5' && /[1-9]/.test(rest.slice(1)));
  if (rest[0] === '5' && !roundUp) roundUp = Number(kept[kept.length - 1]) % 2 === 1;
  let digitsOut = kept;
  if (roundUp) {
    const chars = kept.split('');
    let i = chars.length - 1;
    while (i >= 0 && chars[i] === '9') chars[i--] = '0';
    if (i >= 0) chars[i] = String(Number(chars[i]) + 1);
    else chars.unshift('1');
    digitsOut = chars.join('');
  }
  const intLength = digitsOut.length - digits;
  const text = digits > 0 ? `${digitsOut.slice(0, intLength)}.${digitsOut.slice(intLength)}` : digitsOut;
  return sign + text;
}

/** What `describe` and `compare` need from a DVH (the DVH class satisfies it). */
export interface DescribableDvh {
  readonly name?: string;
  readonly notes?: string;
  readonly type: DvhType;
  readonly doseUnits: DvhDoseUnits;
  readonly volumeUnits: DvhVolumeUnits;
  /** Structure volume, in `volumeUnits`. */
  readonly volume: number;
  /** Maximum, minimum and mean dose, in `doseUnits`. */
  readonly max: number;
  readonly min: number;
  readonly mean: number;
  statistic(name: string): DVHValue;
}

const LABEL_WIDTH = 11;

/** dicompyler prints a missing name as Python's `None`. */
function displayName(dvh: DescribableDvh): string {
  return dvh.name === undefined ? 'None' : dvh.name;
}

function typeLine(dvh: DescribableDvh): string {
  const dose = dvh.doseUnits === '%' ? 'rel dose' : `abs dose: ${dvh.doseUnits}`;
  const volume = dvh.volumeUnits === '%' ? 'rel volume' : `abs volume: ${dvh.volumeUnits}`;
  return `DVH Type:  ${dvh.type}, ${dose}, ${volume}`;
}

/** The D / V statistics both reports list, in order (V-values only for relative dose; D2cc only for absolute volume). */
function reportStatistics(dvh: DescribableDvh): string[] {
  const names = ['D100', 'D98', 'D95'];
  if (dvh.doseUnits === '%') names.push('V100', 'V95', 'V5');
  if (dvh.volumeUnits !== '%') names.push('D2cc');
  return names;
}

/**
 * dicompyler-core's `describe()` text: structure name, DVH type, volume, max/min/mean dose,
 * D100/D98/D95, V100/V95/V5 (relative dose only), D2cc and notes. Every line, the last included,
 * ends with `\n`, so the string equals what dicompyler prints to stdout character for character.
 * An unnamed DVH prints `Structure: None`, as dicompyler does. Deviation: the D2cc line is left out
 * for a relative-volume DVH (a cm³ volume cannot be read from percentages).
 */
export function describeDvh(dvh: DescribableDvh): string {
  requireDvh(dvh, 'dvh');
  const lines = [
    `Structure: ${displayName(dvh)}`,
    '-----',
    typeLine(dvh),
    `${'Volume:'.padEnd(LABEL_WIDTH)}${formatFixed(dvh.volume, 2)} ${dvh.volumeUnits}`,
    `${'Max Dose:'.padEnd(LABEL_WIDTH)}${formatFixed(dvh.max, 2)} ${dvh.doseUnits}`,
    `${'Min Dose:'.padEnd(LABEL_WIDTH)}${formatFixed(dvh.min, 2)} ${dvh.doseUnits}`,
    `${'Mean Dose:'.padEnd(LABEL_WIDTH)}${formatFixed(dvh.mean, 2)} ${dvh.doseUnits}`,
  ];
  for (const name of reportStatistics(dvh)) lines.push(`${`${name}:`.padEnd(LABEL_WIDTH)}${dvh.statistic(name).toString()}`);
  if (dvh.notes) lines.push(`${'Notes:'.padEnd(LABEL_WIDTH)}*${dvh.notes}`);
  return lines.map((line) => `${line}\n`).join('');
}

/** One row of {@link compareDvhs}: a statistic of both DVHs and their difference. */
export interface DvhComparisonRow {
  /** Row label as printed, e.g. `Volume`, `Max`, `D95`. */
  readonly label: string;
  /** The value for the first DVH, in `unitsA`. */
  readonly a: number;
  /** The value for the second DVH, in `unitsB`. */
  readonly b: number;
  readonly unitsA: DvhUnits;
  readonly unitsB: DvhUnits;
  /** (b − a) / a × 100, in percent; 0 when a is 0 (as dicompyler). */
  readonly relDiffPct: number;
  /** b − a, in the row's units. */
  readonly absDiff: number;
}

/** Result of {@link compareDvhs}: dicompyler's text plus the same numbers as data, the DVH-gamma and the endpoint differences. */
export interface DvhComparison {
  /** dicompyler-core's `compare()` stdout text, every line ending with `\n`. */
  readonly text: string;
  readonly rows: readonly DvhComparisonRow[];
  /** DVH-gamma of the second (evaluated) curve against the first (reference), see `dvhGamma`. */
  readonly gamma: DvhGamma;
  /** Endpoint differences evaluated − reference (Gy, cm³), see `compareDvhCurves`. */
  readonly differences: DvhDifferences;
}

function row(label: string, a: number, b: number, unitsA: DvhUnits, unitsB: DvhUnits): DvhComparisonRow {
  const absDiff = b - a;
  const relDiffPct = a !== 0 ? (absDiff / a) * 100 : 0;
  return Object.freeze({ label, a, b, unitsA, unitsB, relDiffPct, absDiff });
}

function rowText(r: DvhComparisonRow): string {
  return (
    `${`${r.label}:`.padEnd(LABEL_WIDTH)} ${formatFixed(r.a, 2).padStart(12)} ${r.unitsA.padEnd(3)}` +
    `${formatFixed(r.b, 2).padStart(14)} ${r.unitsB.padEnd(3)}` +
    `${formatFixed(r.relDiffPct, 2, true).padStart(14)} % ${formatFixed(r.absDiff, 2, true).padStart(14)}`
  );
}

/**
 * Compares two DVHs the way dicompyler-core's `compare()` does: volume, max, min, mean, D100, D98,
 * D95, V100/V95/V5 (relative dose only) and D2cc (absolute volume only), each with the relative
 * and absolute difference of `b` against `a`. The plot dicompyler draws afterwards is not made
 * (use `plotDvhs`). Beyond dicompyler: `gamma`, the DVH-gamma of `b` (evaluated) against `a`
 * (reference) after Ebert et al. 2010 with the given tolerances (default 1 %/1 %), and
 * `differences`, b − a of the volume (cm³), mean dose and D98/D95/D50/D2/D0.03cc (Gy).
 * @param a The reference DVH.
 * @param b The evaluated DVH.
 * @throws DosekitError `E_INCOMPATIBLE_DVH` when the dose or volume units differ;
 *   `E_INVALID_ARGUMENT` for a tolerance that is not a positive number.
 */
export function compareDvhs(a: DVH, b: DVH, options: DvhGammaOptions = {}): DvhComparison {
  requireDvh(a, 'a');
  requireDvh(b, 'b');
  checkGammaOptions(options);
  if (a.doseUnits !== b.doseUnits || a.volumeUnits !== b.volumeUnits) {
    throw new DosekitError(
      'E_INCOMPATIBLE_DVH',
      `Cannot compare DVHs with different units: ${displayName(a)} is ${a.doseUnits}/${a.volumeUnits}, ` +
        `${displayName(b)} is ${b.doseUnits}/${b.volumeUnits}; convert one with absoluteDose/relativeDose/absoluteVolume/relativeVolume first`,
    );
  }
  const rows: DvhComparisonRow[] = [
    row('Volume', a.volume, b.volume, a.volumeUnits, b.volumeUnits),
    row('Max', a.max, b.max, a.doseUnits, b.doseUnits),
    row('Min', a.min, b.min, a.doseUnits, b.doseUnits),
    row('Mean', a.mean, b.mean, a.doseUnits, b.doseUnits),
  ];
  for (const name of reportStatistics(a)) {
    const va = a.statistic(name);
    const vb = b.statistic(name);
    rows.push(row(name, va.value, vb.value, va.units, vb.units));
  }
  const header =
    `${'Structure:'.padEnd(LABEL_WIDTH)} ${displayName(a).padStart(14)} ${displayName(b).padStart(17)} ` +
    `${'Rel Diff'.padStart(17)} ${'Abs diff'.padStart(14)}`;
  const lines = [header, '-----', typeLine(a), ...rows.map(rowText)];
  const { gamma, differences } = compareDvhCurves(a, b, options);
  return Object.freeze({ text: lines.map((line) => `${line}\n`).join(''), rows: Object.freeze(rows), gamma, differences });
}
