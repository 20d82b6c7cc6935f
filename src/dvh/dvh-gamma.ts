// SPDX-License-Identifier: BSD-3-Clause
/**
 * DVH-gamma: a pass/fail comparison of two cumulative DVH curves after Ebert et al., "Comparison
 * of DVH data from multiple radiotherapy treatment planning systems", Phys Med Biol 55 (2010)
 * N337-N346, plus the differences of the usual endpoints. The gamma of a reference point is its
 * distance to the evaluated curve in dose and volume, each measured in its tolerance.
 */
import { DosekitError } from '../errors.js';
import type { DVH } from './dvh.js';
import { requireDvh } from './dvh-arguments.js';
import { requireOptions } from '../validate.js';

/** Tolerances of {@link dvhGamma}, in percent. */
export interface DvhGammaOptions {
  /** ΔD as a percentage of the reference's maximum dose; default 1 (%). */
  readonly doseTolerancePercent?: number;
  /** ΔV as a percentage of the reference structure's volume; default 1 (%). */
  readonly volumeTolerancePercent?: number;
}

/** One point of the reference curve and its gamma. */
export interface DvhGammaPoint {
  /** Dose of the reference point, in {@link DvhGamma.doseUnits} (Gy unless both curves are relative dose without a prescription). */
  readonly dose: number;
  /** Cumulative volume of the reference point, in {@link DvhGamma.volumeUnits}. */
  readonly volume: number;
  /** Distance to the evaluated curve in units of the tolerances (dimensionless; Infinity when a tolerance is 0 and the curves differ). */
  readonly gamma: number;
}

/** Result of {@link dvhGamma}. */
export interface DvhGamma {
  /** Percentage of reference points with gamma <= 1. */
  readonly passRatePercent: number;
  /** True when every reference point has gamma <= 1. */
  readonly pass: boolean;
  /** Number of reference points tested. */
  readonly points: number;
  /** The reference points with gamma > 1, in dose order. */
  readonly failing: readonly DvhGammaPoint[];
  /** Every reference point with its gamma, in dose order. */
  readonly curve: readonly DvhGammaPoint[];
  /** The largest gamma (0 for identical curves). */
  readonly maxGamma: number;
  /** ΔD in {@link DvhGamma.doseUnits}. */
  readonly doseTolerance: number;
  /** ΔV in {@link DvhGamma.volumeUnits}. */
  readonly volumeTolerance: number;
  /** 'Gy', or '%' (of the prescription) when both curves are relative dose and no rxDose is known. */
  readonly doseUnits: 'Gy' | '%';
  /** 'cm3', or '%' (of each structure's own volume) when a curve has no absolute volume. */
  readonly volumeUnits: 'cm3' | '%';
  /** What was converted or assumed (e.g. that relative volume was compared). */
  readonly notes: readonly string[];
}

/**
 * Endpoint differences evaluated − reference. D-values are read off both curves by linear
 * interpolation (the 'interpolate' lookup, whatever the DVHs' own lookup: the curves are compared,
 * as by the gamma, not dicompyler-core's nearest-bin quirks); a value is null when the units do not
 * allow it (no absolute volume, or dose in % without a prescription).
 */
export interface DvhDifferences {
  /** Structure volume difference in cm³. */
  readonly volumeCm3: number | null;
  /** Mean dose difference in Gy. */
  readonly meanGy: number | null;
  /** D98 (dose to the hottest 98 % of the volume) difference in Gy. */
  readonly D98: number | null;
  /** D95 difference in Gy. */
  readonly D95: number | null;
  /** D50 difference in Gy. */
  readonly D50: number | null;
  /** D2 difference in Gy. */
  readonly D2: number | null;
  /** D0.03cc (dose to the hottest 0.03 cm³) difference in Gy. */
  readonly 'D0.03cc': number | null;
}

/** Both curves in common units (see {@link toCommonUnits}). */
export interface CommonUnitDvhs {
  readonly reference: DVH;
  readonly evaluated: DVH;
  readonly notes: readonly string[];
}

/** Gamma at most this passes: 1, with room for the rounding of a difference of exactly one tolerance. */
const PASS_LIMIT = 1 + 1e-9;

/**
 * Checks a {@link DvhGammaOptions} object: known option names, tolerances positive finite percents.
 * @throws DosekitError E_INVALID_ARGUMENT naming the option.
 */
export function checkGammaOptions(options: unknown): DvhGammaOptions {
  const checked = requireOptions(options, 'options', ['doseTolerancePercent', 'volumeTolerancePercent']) as DvhGammaOptions;
  tolerance(checked.doseTolerancePercent, 'doseTolerancePercent');
  tolerance(checked.volumeTolerancePercent, 'volumeTolerancePercent');
  return checked;
}

function tolerance(value: number | undefined, name: string): number {
  const v = value ?? 1;
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) {
    throw new DosekitError('E_INVALID_ARGUMENT', `${name} must be a positive number of percent (got ${String(value)}), e.g. 1 for 1 %`);
  }
  return v;
}

/**
 * The two DVHs as cumulative curves in common units: dose in Gy (cGy divided by 100, relative dose
 * times its own rxDose, or the other curve's when it has none), volume in cm³. When a curve has no
 * absolute volume both are compared in % of their own volumes; when both are relative dose and no
 * prescription is known they stay in %. Each such step is recorded in `notes`.
 * @throws DosekitError `E_NO_RX_DOSE` when one curve is relative dose, the other absolute, and no
 *   rxDose is known to relate them.
 */
export function toCommonUnits(reference: DVH, evaluated: DVH): CommonUnitDvhs {
  const notes: string[] = [];
  let r = reference.cumulative;
  let e = evaluated.cumulative;
  const rx = r.rxDose ?? e.rxDose;
  const absoluteDoseKnown = (d: DVH): boolean => d.doseUnits !== '%' || rx !== undefined;
  if (absoluteDoseKnown(r) && absoluteDoseKnown(e)) {
    if (r.doseUnits === '%' || e.doseUnits === '%') notes.push(`relative dose converted to Gy with the prescription dose (${r.rxDose ?? rx} Gy reference, ${e.rxDose ?? rx} Gy evaluated)`);
    r = r.absoluteDose(r.rxDose ?? rx);
    e = e.absoluteDose(e.rxDose ?? rx);
  } else if (r.doseUnits === '%' && e.doseUnits === '%') {
    notes.push('dose compared in % of the prescription: both curves are relative dose and no rxDose is known');
  } else {
    throw new DosekitError(
      'E_NO_RX_DOSE',
      `Cannot compare a relative-dose DVH with an absolute-dose one without a prescription dose: give either DVH an rxDose (Gy), or convert with absoluteDose(rxDoseGy)`,
    );
  }
  if (r.volumeUnits !== 'cm3' || e.volumeUnits !== 'cm3') {
    const which = r.volumeUnits !== 'cm3' && e.volumeUnits !== 'cm3' ? 'neither curve has' : r.volumeUnits !== 'cm3' ? 'the reference has no' : 'the evaluated curve has no';
    notes.push(`volume compared in % of each structure's own volume: ${which} absolute volume`);
    r = r.relativeVolume;
    e = e.relativeVolume;
  }
  return { reference: r, evaluated: e, notes };
}

/**
 * The vertices of a cumulative curve: (bins[k], counts[k]) up to the last non-zero count, then that
 * bin's upper edge at volume 0 (the curve is 0 at every higher dose). An empty DVH is the point (0, 0).
 */
function vertices(cumulative: DVH): { dose: Float64Array; volume: Float64Array } {
  const bins = cumulative.bins;
  const counts = cumulative.counts;
  let last = counts.length - 1;
  while (last >= 0 && counts[last] === 0) last--;
  if (last < 0) return { dose: Float64Array.of(0), volume: Float64Array.of(0) };
  const dose = new Float64Array(last + 2);
  const volume = new Float64Array(last + 2);
  for (let k = 0; k <= last; k++) {
    dose[k] = bins[k]!;
    volume[k] = counts[k]!;
  }
  dose[last + 1] = bins[last + 1]!;
  volume[last + 1] = 0;
  return { dose, volume };
}

/** Distance from (px, py) to the segment (ax, ay)-(bx, by), all in tolerance units. */
function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  let t = length2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / length2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/**
 * Minimum distance from the reference point (d, v) to the evaluated polyline (plus the ray at
 * volume 0 beyond its last vertex), dose scaled by 1/ΔD and volume by 1/ΔV. Starts at the segment
 * spanning d and walks outwards while the dose gap alone is below the best distance found.
 */
function gammaAt(d: number, v: number, dose: Float64Array, volume: Float64Array, deltaD: number, deltaV: number): number {
  const m = dose.length;
  const px = d / deltaD;
  const py = v / deltaV;
  // Segment s joins vertices s and s+1 for s < m - 1; s = m - 1 is the ray from the last vertex.
  const distance = (s: number): number => {
    if (s === m - 1) {
      const x0 = dose[s]! / deltaD;
      return px >= x0 ? Math.abs(py - volume[s]! / deltaV) : Math.hypot(x0 - px, py - volume[s]! / deltaV);
    }
    return segmentDistance(px, py, dose[s]! / deltaD, volume[s]! / deltaV, dose[s + 1]! / deltaD, volume[s + 1]! / deltaV);
  };
  // Largest s with dose[s] <= d (0 when d is below every vertex).
  let lo = 0;
  let hi = m;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (dose[mid]! <= d) lo = mid;
    else hi = mid;
  }
  let best = distance(lo);
  for (let s = lo - 1; s >= 0 && px - dose[s + 1]! / deltaD < best; s--) best = Math.min(best, distance(s));
  for (let s = lo + 1; s < m && dose[s]! / deltaD - px < best; s++) best = Math.min(best, distance(s));
  return best;
}

/** The evaluated curve's volume at dose d (linear between vertices, 0 beyond the last). */
function volumeOnCurve(d: number, dose: Float64Array, volume: Float64Array): number {
  const m = dose.length;
  if (d <= dose[0]!) return volume[0]!;
  if (d >= dose[m - 1]!) return 0;
  let s = 0;
  while (dose[s + 1]! < d) s++;
  return volume[s]! + ((volume[s + 1]! - volume[s]!) * (d - dose[s]!)) / (dose[s + 1]! - dose[s]!);
}

/**
 * Gamma when a tolerance is 0 (an empty reference, or a maximum dose of 0): with ΔD = 0 only the
 * volume at the same dose counts; with ΔV = 0 the curves must agree exactly.
 */
function degenerateGamma(d: number, v: number, dose: Float64Array, volume: Float64Array, deltaD: number, deltaV: number): number {
  const gap = Math.abs(volumeOnCurve(d, dose, volume) - v);
  if (deltaV > 0) return gap / deltaV;
  return gap === 0 ? 0 : Infinity;
}

/**
 * DVH-gamma of `evaluated` against `reference` (Ebert et al. 2010): for every vertex (D_r, V_r) of
 * the reference cumulative curve (up to its first point at volume 0),
 * γ = min over the evaluated curve of √(((D_e − D_r)/ΔD)² + ((V_e − V_r)/ΔV)²), the evaluated curve
 * being the piecewise-linear curve through its vertices (minimised over whole segments, not only
 * vertices) and 0 beyond its last one. ΔD = doseTolerancePercent % of the reference maximum dose,
 * ΔV = volumeTolerancePercent % of the reference volume. The pass rate is the percentage of
 * reference points with γ <= 1; `pass` is true when all have (to 1e-9, so that a difference of
 * exactly one tolerance passes despite rounding). Units: see {@link toCommonUnits}.
 * @throws DosekitError `E_INVALID_ARGUMENT` for a tolerance that is not a positive number;
 *   `E_NO_RX_DOSE` as {@link toCommonUnits}.
 */
export function dvhGamma(reference: DVH, evaluated: DVH, options: DvhGammaOptions = {}): DvhGamma {
  requireDvh(reference, 'reference');
  requireDvh(evaluated, 'evaluated');
  checkGammaOptions(options);
  return gammaOfCommon(toCommonUnits(reference, evaluated), options);
}

function gammaOfCommon(common: CommonUnitDvhs, options: DvhGammaOptions): DvhGamma {
  const dosePercent = tolerance(options.doseTolerancePercent, 'doseTolerancePercent');
  const volumePercent = tolerance(options.volumeTolerancePercent, 'volumeTolerancePercent');
  const { reference, evaluated } = common;
  const deltaD = (dosePercent / 100) * reference.max;
  const deltaV = (volumePercent / 100) * reference.volume;
  const ref = vertices(reference);
  const ev = vertices(evaluated);
  const curve: DvhGammaPoint[] = [];
  const failing: DvhGammaPoint[] = [];
  let passed = 0;
  let maxGamma = 0;
  for (let i = 0; i < ref.dose.length; i++) {
    const dose = ref.dose[i]!;
    const volume = ref.volume[i]!;
    const gamma = deltaD > 0 && deltaV > 0 ? gammaAt(dose, volume, ev.dose, ev.volume, deltaD, deltaV) : degenerateGamma(dose, volume, ev.dose, ev.volume, deltaD, deltaV);
    const point = Object.freeze({ dose, volume, gamma });
    curve.push(point);
    if (gamma <= PASS_LIMIT) passed++;
    else failing.push(point);
    if (gamma > maxGamma) maxGamma = gamma;
  }
  const notes = [...common.notes];
  if (!(deltaD > 0 && deltaV > 0)) notes.push('the reference is empty or has a maximum dose of 0, so a tolerance is 0: only an exact match passes there');
  return Object.freeze({
    passRatePercent: (100 * passed) / curve.length,
    pass: failing.length === 0,
    points: curve.length,
    failing: Object.freeze(failing),
    curve: Object.freeze(curve),
    maxGamma,
    doseTolerance: deltaD,
    volumeTolerance: deltaV,
    doseUnits: reference.doseUnits === '%' ? '%' : 'Gy',
    volumeUnits: reference.volumeUnits === '%' ? '%' : 'cm3',
    notes: Object.freeze(notes),
  });
}

/** Endpoint differences evaluated − reference of two DVHs already in common units. */
function differencesOfCommon(common: CommonUnitDvhs): DvhDifferences {
  const reference = common.reference.lookup === 'interpolate' ? common.reference : common.reference.with({ lookup: 'interpolate' });
  const evaluated = common.evaluated.lookup === 'interpolate' ? common.evaluated : common.evaluated.with({ lookup: 'interpolate' });
  const absoluteDose = reference.doseUnits === 'Gy';
  const absoluteVolume = reference.volumeUnits === 'cm3';
  const d = (name: string): number | null => {
    if (!absoluteDose || (name.endsWith('cc') && !absoluteVolume)) return null;
    return evaluated.statistic(name).value - reference.statistic(name).value;
  };
  return Object.freeze({
    volumeCm3: absoluteVolume ? evaluated.volume - reference.volume : null,
    meanGy: absoluteDose ? evaluated.mean - reference.mean : null,
    D98: d('D98'),
    D95: d('D95'),
    D50: d('D50'),
    D2: d('D2'),
    'D0.03cc': d('D0.03cc'),
  });
}

/**
 * DVH-gamma and endpoint differences of `evaluated` against `reference`, in common units
 * (see {@link dvhGamma} and {@link toCommonUnits}).
 */
export function compareDvhCurves(reference: DVH, evaluated: DVH, options: DvhGammaOptions = {}): { gamma: DvhGamma; differences: DvhDifferences } {
  requireDvh(reference, 'reference');
  requireDvh(evaluated, 'evaluated');
  checkGammaOptions(options);
  const common = toCommonUnits(reference, evaluated);
  return { gamma: gammaOfCommon(common, options), differences: differencesOfCommon(common) };
}
