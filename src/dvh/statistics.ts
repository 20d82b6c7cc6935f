// SPDX-License-Identifier: BSD-3-Clause
/**
 * DVH statistic names (the `statistic()` grammar), the {@link DVHValue} result type and the
 * Dx / Vx lookups on a cumulative curve, in both lookup modes. Everything here works on plain
 * arrays so the DVH class stays a thin, immutable shell around it.
 */
import { DosekitError } from '../errors.js';
import { describeValue, requireBoolean, requireFiniteNumber, requireNumberList, requireObject, requireOneOf } from '../validate.js';
import { formatFixed } from './describe.js';

/** Dose units of a DVH's bin edges: absolute Gy or cGy, or percent of the prescription dose. */
export type DvhDoseUnits = 'Gy' | 'cGy' | '%';
/** Volume units of a DVH's counts: absolute cm³ or percent of the structure volume. */
export type DvhVolumeUnits = 'cm3' | '%';
/** Units a {@link DVHValue} can carry (a dose or a volume). */
export type DvhUnits = DvhDoseUnits | DvhVolumeUnits;
/** Whether `counts[i]` is the volume receiving at least `bins[i]` (cumulative) or the volume in bin i (differential). */
export type DvhType = 'cumulative' | 'differential';
/**
 * How Dx / Vx are read from the cumulative curve.
 * - `'interpolate'` (default): linear interpolation between bin edges (uniform dose inside each bin).
 * - `'dicompyler'`: dicompyler-core 0.5.7's nearest-edge lookups, reproduced value for value.
 */
export type DvhLookup = 'interpolate' | 'dicompyler';

/** All dose units dosekit accepts. */
export const DVH_DOSE_UNITS: readonly DvhDoseUnits[] = Object.freeze(['Gy', 'cGy', '%']);
/** All volume units dosekit accepts. */
export const DVH_VOLUME_UNITS: readonly DvhVolumeUnits[] = Object.freeze(['cm3', '%']);
/** Both DVH types. */
export const DVH_TYPES: readonly DvhType[] = Object.freeze(['cumulative', 'differential']);
/** Both lookup modes. */
export const DVH_LOOKUPS: readonly DvhLookup[] = Object.freeze(['interpolate', 'dicompyler']);

/**
 * One statistic with its units, e.g. `D95 = 13.42 Gy` or `V20Gy = 153.2 cm3`. Immutable.
 * `toString()` gives `value` with two decimals, a space and the units, as dicompyler-core's
 * `str(DVHValue)` does (rounding exactly like Python's `format(v, '0.2f')`, half to even on ties).
 */
export class DVHValue {
  /** The number, in {@link DVHValue.units}. */
  readonly value: number;
  /** 'Gy', 'cGy' or '%' for doses; 'cm3' or '%' for volumes. */
  readonly units: DvhUnits;

  constructor(value: number, units: DvhUnits) {
    // NaN is a value (the statistic of an empty structure); other non-numbers are not.
    if (typeof value !== 'number') throw new DosekitError('E_INVALID_ARGUMENT', `value must be a number (got ${describeValue(value)}).`, { argument: 'value' });
    requireOneOf(units, 'units', ['Gy', 'cGy', '%', 'cm3'] as const);
    this.value = value;
    this.units = units;
    Object.freeze(this);
  }

  /** `value` to two decimals, a space, then the units: `"13.42 Gy"`. */
  toString(): string {
    return `${formatFixed(this.value, 2)} ${this.units}`;
  }

  /** Plain `{ value, units }` for JSON. */
  toJSON(): { value: number; units: DvhUnits } {
    return { value: this.value, units: this.units };
  }

  /** True when the units are equal and the values agree within `tolerance` (absolute, in `units`). */
  equals(other: DVHValue, tolerance = 0): boolean {
    const o = requireObject(other, 'other');
    if (typeof o.value !== 'number' || typeof o.units !== 'string') throw new DosekitError('E_INVALID_ARGUMENT', `other must be a DVHValue (got ${describeValue(other)}).`, { argument: 'other' });
    requireFiniteNumber(tolerance, 'tolerance', { min: 0 });
    return this.units === other.units && Math.abs(this.value - other.value) <= tolerance;
  }
}

/** Checks the N + 1 edges and N cumulative counts of a lookup. */
function checkCurve(edges: unknown, cumulative: unknown): void {
  const e = requireNumberList(edges, 'edges');
  const c = requireNumberList(cumulative, 'cumulative');
  if (e.length !== c.length + 1) throw new DosekitError('E_INVALID_ARGUMENT', `edges must hold one more value than cumulative (${c.length + 1}; got ${e.length}).`, { argument: 'edges' });
}

/** A parsed statistic name. Values are in the units named by the companion field. */
export type ParsedStatistic =
  | { readonly kind: 'D'; readonly volume: number; readonly volumeUnits: DvhVolumeUnits }
  | { readonly kind: 'V'; readonly dose: number; readonly doseUnits: DvhDoseUnits }
  | { readonly kind: 'Dmean' | 'Dmax' | 'Dmin' };

/** The statistic grammar, quoted in every E_BAD_STATISTIC message. */
export const STATISTIC_GRAMMAR =
  'Dmean | Dmax | Dmin | D<volume>[%] (dose to the hottest <volume> percent of the structure) | ' +
  'D<volume>cc (dose to the hottest <volume> cm3) | V<dose>Gy | V<dose>cGy | ' +
  'V<dose>[%] (volume receiving at least <dose> percent of rxDose); ' +
  '<volume> and <dose> are decimal numbers such as 95, 0.03 or 71.6 (no leading "."); units are case-insensitive';

const SUMMARY = /^D(mean|max|min)$/i;
const D_OR_V = /^([DV])(\d+(?:\.\d+)?)(%|cc|cm3|gy|cgy)?$/i;

function badStatistic(name: string, why: string): DosekitError {
  return new DosekitError('E_BAD_STATISTIC', `Bad DVH statistic "${name}": ${why}. Grammar: ${STATISTIC_GRAMMAR}`, { statistic: name });
}

/**
 * Parses a statistic name such as `D95`, `D95%`, `D2cc`, `D0.03cc`, `V20Gy`, `V2000cGy`, `V95`,
 * `V95%`, `V71.6Gy`, `Dmean`, `Dmax` or `Dmin`.
 * A bare number means percent: percent of the structure volume for D, percent of rxDose for V.
 * Names that do not fit the grammar (signs, exponents, `NaN`), mix the wrong kind of unit (`V20cc`,
 * `D20Gy`), ask for more than 100 % of the volume (`D150`, `D100.0001`) or hold a number too large
 * for float64 throw DosekitError `E_BAD_STATISTIC` (dicompyler-core would silently treat the
 * suffix as a flag, and return 0 for D150). `D0` and `D0cc` are the highest dose of the histogram.
 */
export function parseStatisticName(name: string): ParsedStatistic {
  if (typeof name !== 'string') throw badStatistic(String(name), 'the name must be a string');
  const trimmed = name.trim();
  const summary = SUMMARY.exec(trimmed);
  if (summary) {
    const which = summary[1]!.toLowerCase();
    return { kind: which === 'mean' ? 'Dmean' : which === 'max' ? 'Dmax' : 'Dmin' };
  }
  const match = D_OR_V.exec(trimmed);
  if (!match) throw badStatistic(name, 'it does not match the grammar');
  const letter = match[1]!.toUpperCase();
  const amount = Number(match[2]);
  const unit = (match[3] ?? '%').toLowerCase();
  // The grammar has no sign, so amounts are >= 0; only a run of digits past float64 is infinite.
  if (!Number.isFinite(amount)) throw badStatistic(name, `${match[2]!.length > 20 ? `${match[2]!.slice(0, 20)}…` : match[2]} is too large a number`);
  if (letter === 'D') {
    if (unit === 'gy' || unit === 'cgy') throw badStatistic(name, 'a D statistic takes a volume (% or cc), not a dose unit');
    // A structure has no more than 100 % of its volume: D150 would silently read 0 Gy.
    if (unit === '%' && amount > 100) throw badStatistic(name, `a volume of ${match[2]} % of the structure does not exist; D takes 0 to 100 %`);
    return { kind: 'D', volume: amount, volumeUnits: unit === '%' ? '%' : 'cm3' };
  }
  if (unit === 'cc' || unit === 'cm3') throw badStatistic(name, 'a V statistic takes a dose (Gy, cGy or % of rxDose), not a volume unit');
  return { kind: 'V', dose: amount, doseUnits: unit === 'gy' ? 'Gy' : unit === 'cgy' ? 'cGy' : '%' };
}

/** Index of the first element with the smallest |values[i] − target| (numpy argmin: first on ties). */
function argminFirst(values: ArrayLike<number>, target: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let i = 0; i < values.length; i++) {
    const distance = Math.abs(values[i]! - target);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = i;
    }
  }
  return best;
}

/** Index of the last element with the smallest |values[i] − target|. */
function argminLast(values: ArrayLike<number>, target: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let i = 0; i < values.length; i++) {
    const distance = Math.abs(values[i]! - target);
    if (distance <= bestDistance) {
      bestDistance = distance;
      best = i;
    }
  }
  return best;
}

function maxOf(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

/**
 * Volume receiving at least `dose`, read from a cumulative curve.
 * @param edges N+1 bin edges, in the same units as `dose`.
 * @param cumulative N cumulative counts (volume receiving at least `edges[i]`), in the DVH's volume units.
 * @param dose The dose threshold, in the units of `edges`.
 * @param lookup `'interpolate'`: linear between edges, with the curve at the top edge taken as 0
 *   and the curve below the first edge as `cumulative[0]`. `'dicompyler'`: the count at the
 *   nearest edge (first on ties), or 0 when that edge is the top one.
 * @returns A volume in the DVH's volume units.
 */
export function volumeAtDose(edges: ArrayLike<number>, cumulative: ArrayLike<number>, dose: number, lookup: DvhLookup): number {
  checkCurve(edges, cumulative);
  requireFiniteNumber(dose, 'dose');
  requireOneOf(lookup, 'lookup', DVH_LOOKUPS);
  return lookupVolumeAtDose(edges, cumulative, dose, lookup);
}

/** {@link volumeAtDose} without the argument checks, for a DVH's own (already valid) arrays. */
export function lookupVolumeAtDose(edges: ArrayLike<number>, cumulative: ArrayLike<number>, dose: number, lookup: DvhLookup): number {
  const n = cumulative.length;
  if (lookup === 'dicompyler') {
    const i = argminFirst(edges, dose);
    return i >= n ? 0 : cumulative[i]!;
  }
  if (!(dose > edges[0]!)) return cumulative[0]!;
  if (dose >= edges[n]!) return 0;
  // Largest i with edges[i] <= dose (binary search; edges are strictly increasing).
  let lo = 0;
  let hi = n;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= dose) lo = mid;
    else hi = mid;
  }
  const c0 = cumulative[lo]!;
  const c1 = lo + 1 < n ? cumulative[lo + 1]! : 0;
  return c0 + ((c1 - c0) * (dose - edges[lo]!)) / (edges[lo + 1]! - edges[lo]!);
}

/**
 * Dose received by at least `volume` of the structure (the Dx statistic), read from a cumulative curve.
 * @param edges N+1 bin edges in the DVH's dose units (the result is in these units).
 * @param cumulative N cumulative counts.
 * @param volume The volume: percent of the largest cumulative count when `percent` is true,
 *   otherwise in the units of `cumulative`.
 * @param percent Whether `volume` is a percentage.
 * @param lookup `'interpolate'`: the highest dose d at which the linearly interpolated curve still
 *   holds `volume` (so a flat run at exactly that volume gives the highest dose of the run, D100
 *   is the lower edge of the lowest non-empty bin and D0 is the upper edge of the highest one).
 *   `'dicompyler'`: dicompyler-core's nearest-count lookup (lower edge of the first bin whose count is
 *   nearest `volume`; D100 takes the last such bin), including its upstream #340 quirk.
 *   Both modes return 0 when `volume` exceeds the structure volume or the structure is empty.
 */
export function doseAtVolume(
  edges: ArrayLike<number>,
  cumulative: ArrayLike<number>,
  volume: number,
  percent: boolean,
  lookup: DvhLookup,
): number {
  checkCurve(edges, cumulative);
  requireFiniteNumber(volume, 'volume');
  requireBoolean(percent, 'percent');
  requireOneOf(lookup, 'lookup', DVH_LOOKUPS);
  return lookupDoseAtVolume(edges, cumulative, volume, percent, lookup);
}

/** {@link doseAtVolume} without the argument checks, for a DVH's own (already valid) arrays. */
export function lookupDoseAtVolume(edges: ArrayLike<number>, cumulative: ArrayLike<number>, volume: number, percent: boolean, lookup: DvhLookup): number {
  const n = cumulative.length;
  const total = maxOf(cumulative);
  if (lookup === 'dicompyler') {
    let counts: ArrayLike<number> = cumulative;
    if (percent) {
      const divisor = total > 0 ? total : 1;
      const relative = new Float64Array(n);
      for (let i = 0; i < n; i++) relative[i] = (100 * cumulative[i]!) / divisor;
      counts = relative;
    }
    if (n === 0 || volume > maxOf(counts)) return 0;
    const i = percent && volume === 100 ? argminLast(counts, volume) : argminFirst(counts, volume);
    return edges[i]!;
  }
  if (!(total > 0)) return 0;
  const target = percent ? total * (volume / 100) : volume;
  if (target > total) return 0;
  if (!(target > 0)) {
    for (let i = n - 1; i >= 0; i--) {
      const next = i + 1 < n ? cumulative[i + 1]! : 0;
      if (cumulative[i]! !== next) return edges[i + 1]!;
    }
    return 0;
  }
  let i = n - 1;
  while (i > 0 && !(cumulative[i]! >= target)) i--;
  const c0 = cumulative[i]!;
  const c1 = i + 1 < n ? cumulative[i + 1]! : 0;
  if (c0 === target) return edges[i]!;
  return edges[i]! + ((c0 - target) / (c0 - c1)) * (edges[i + 1]! - edges[i]!);
}
