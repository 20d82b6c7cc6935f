// SPDX-License-Identifier: BSD-3-Clause
/**
 * The immutable DVH (dose-volume histogram) class: representation, conversions, statistics and
 * text/JSON/CSV output. Lookups live in statistics.ts, text in describe.ts, files in export.ts.
 */
import { DosekitError } from '../errors.js';
import { describeValue, optional, requireFiniteNumber, requireInteger, requireNumberList, requireObject, requireOneOf, requireOptions, requireString } from '../validate.js';
import type { DicomDvhRecord } from '../model/dicom-dvh.js';
import type { RgbColor } from '../model/structure-set.js';
import { compareDvhs, describeDvh, type DvhComparison } from './describe.js';
import type { DvhGammaOptions } from './dvh-gamma.js';
import { DVH_JSON_FORMAT, DVH_JSON_VERSION, dvhToCsv, parseDvhCsv, parseDvhJson, type DvhJson } from './export.js';
import {
  DVH_DOSE_UNITS,
  DVH_LOOKUPS,
  DVH_TYPES,
  DVHValue,
  DVH_VOLUME_UNITS,
  lookupDoseAtVolume,
  lookupVolumeAtDose,
  parseStatisticName,
  type DvhDoseUnits,
  type DvhLookup,
  type DvhType,
  type DvhVolumeUnits,
} from './statistics.js';


/** Metadata a DVH carries besides its histogram. */
export interface DvhMetadata {
  /** Prescription dose in Gy (also for cGy and % DVHs); needed for relative-dose statistics. */
  readonly rxDose?: number;
  /** Structure (ROI) name. */
  readonly name?: string;
  /** Display colour [r, g, b], 0–255. */
  readonly color?: RgbColor;
  /** Free-text notes (e.g. 'Empty DVH'). */
  readonly notes?: string;
  /** Dx / Vx lookup mode; default `'interpolate'`. */
  readonly lookup?: DvhLookup;
  /** How a calculated DVH was computed (set by `getDvh` / `calculateDvhs`). */
  readonly computedBy?: DvhProvenance;
}

/** The algorithm and compute backend that produced a calculated DVH. */
export interface DvhProvenance {
  readonly algorithm: string;
  readonly backend: { readonly kind: 'cpu' | 'webgpu'; readonly adapter?: string };
  /** Warnings of the calculation (e.g. a fallback from the GPU to the CPU). */
  readonly warnings?: readonly string[];
}

/** Constructor input of {@link DVH}. */
export interface DvhInit extends DvhMetadata {
  /**
   * N counts in `volumeUnits`: for a cumulative DVH `counts[i]` is the volume receiving at least
   * `bins[i]`; for a differential DVH it is the volume with dose in [bins[i], bins[i+1]).
   */
  readonly counts: ArrayLike<number>;
  /**
   * Bin edges in `doseUnits`, strictly increasing and non-negative. Either N+1 edges, or (as
   * dicompyler-core accepts from DICOM) N upper edges not starting at 0, to which a 0 edge is
   * prepended. When N+1 edges start above 0, a 0 edge and a first bin are prepended: its count is 0
   * for a differential DVH and `counts[0]` for a cumulative one (nothing lies below the first edge).
   */
  readonly bins: ArrayLike<number>;
  /** Default `'cumulative'`. */
  readonly type?: DvhType;
  /** Default `'Gy'`. */
  readonly doseUnits?: DvhDoseUnits;
  /** Default `'cm3'`. */
  readonly volumeUnits?: DvhVolumeUnits;
  /**
   * The exact minimum and maximum dose of the structure in `doseUnits`, when known more finely
   * than the bins (a calculated DVH includes its surface, where the extremes of a smooth dose
   * lie). `min` and `max` report these in 'interpolate' mode.
   */
  readonly doseRange?: readonly [number, number];
}

/** Options of {@link DVH.fromData}. */
export interface FromDataOptions extends DvhMetadata {
  /** Units of the dose samples and of `binWidth`; default `'Gy'`. */
  readonly doseUnits?: DvhDoseUnits;
  /** Volume each sample stands for, in cm³; default 1 (counts are then sample counts). */
  readonly voxelVolumeCm3?: number;
}

/** Where `DVH.fromDicomDvh` reads DICOM DVH Sequence items from: a DicomParser or the items themselves. */
export type DicomDvhSource = { getDVHs(): readonly DicomDvhRecord[] } | readonly DicomDvhRecord[];


/**
 * How far a stored cumulative DVH may rise from one bin to the next, as a fraction of its largest
 * volume: rounding in the planning system's arithmetic, never a real rise (rounding written
 * values cannot make a falling curve rise).
 */
const CUMULATIVE_RISE_TOLERANCE = 1e-6;

/**
 * Throws E_INVALID_DVH when a cumulative DVH read from DICOM rises with dose beyond rounding: the
 * volume receiving at least a dose can only fall as the dose grows, so such a curve is mislabelled
 * (a differential DVH) or damaged, and every statistic from it would be wrong.
 */
function checkFalling(counts: Float64Array, bins: Float64Array, roiNumber: number, doseUnits: string, volumeUnits: string): void {
  let largest = 0;
  for (const v of counts) largest = Math.max(largest, v);
  const allowed = CUMULATIVE_RISE_TOLERANCE * largest;
  const text = (v: number) => String(Number(v.toPrecision(6)));
  for (let i = 1; i < counts.length; i++) {
    if (counts[i]! - counts[i - 1]! > allowed) {
      throw invalid(
        `DICOM cumulative DVH for ROI ${roiNumber} rises with dose: ${text(counts[i - 1]!)} ${volumeUnits} at ${text(bins[i - 1]!)} ${doseUnits}, then ${text(counts[i]!)} ${volumeUnits} at ${text(bins[i]!)} ${doseUnits}. ` +
          'The volume receiving at least a dose can only fall as the dose grows: the curve is damaged or is not cumulative (check its DVHType); export it again from the planning system.',
        { roiNumber, bin: i, attribute: 'DVHData' },
      );
    }
  }
}

/** The metadata fields a DVH carries (options of `with`, `fromDicomDvh`, and part of `fromData`'s). */
const METADATA_FIELDS: readonly string[] = Object.freeze(['rxDose', 'name', 'color', 'notes', 'lookup', 'computedBy']);

/**
 * The most bins `DVH.fromData` makes: 2^20 = 1 048 576 (8 MiB per array), e.g. 0.01 Gy bins up
 * to 10 485 Gy. A larger maximum dose / bin width ratio is refused instead of allocating without bound.
 */
export const MAX_FROM_DATA_BINS = 2 ** 20;

/** The DVH Sequence records of `fromDicomDvh`'s source, checked item by item. */
function dicomDvhRecords(source: unknown): readonly DicomDvhRecord[] {
  const getter = typeof source === 'object' && source !== null && !Array.isArray(source) ? (source as { getDVHs?: unknown }).getDVHs : undefined;
  if (!Array.isArray(source) && typeof getter !== 'function') {
    throw new DosekitError('E_INVALID_ARGUMENT', `source must be a DicomParser of an RT Dose or an array of its DVH Sequence records (got ${describeValue(source)}).`, { argument: 'source' });
  }
  const records: unknown = Array.isArray(source) ? source : (getter as () => unknown).call(source);
  if (!Array.isArray(records)) throw new DosekitError('E_INVALID_ARGUMENT', `source.getDVHs() must return an array of DVH Sequence records (got ${describeValue(records)}).`, { argument: 'source' });
  records.forEach((record, i) => {
    const name = `source[${i}]`;
    const r = requireObject(record, name);
    requireFiniteNumber(r.referencedRoiNumber, `${name}.referencedRoiNumber`);
    for (const key of ['type', 'doseUnits', 'volumeUnits']) requireString(r[key], `${name}.${key}`);
    requireFiniteNumber(r.doseScaling, `${name}.doseScaling`);
    requireNumberList(r.data, `${name}.data`);
  });
  return records as readonly DicomDvhRecord[];
}

function invalid(message: string, details: Record<string, unknown> = {}): DosekitError {
  return new DosekitError('E_INVALID_DVH', message, details);
}

function checkedArray(values: ArrayLike<number>, what: string): Float64Array {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw invalid(`DVH ${what} must be an array of numbers`);
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`DVH ${what}[${i}] is ${String(v)}; every value must be a finite number`);
    out[i] = v + 0; // + 0 turns -0 into 0
  }
  return out;
}

function checkMember<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value as T)) throw invalid(`DVH ${what} ${JSON.stringify(value)} is not one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  return value as T;
}

function resolveRx(explicit: number | undefined, stored: number | undefined, action: string): number {
  const rx = explicit ?? stored;
  if (rx === undefined) {
    throw new DosekitError('E_NO_RX_DOSE', `${action} needs a prescription dose: pass rxDose (Gy) or create the DVH with rxDose`);
  }
  if (!(rx > 0) || !Number.isFinite(rx)) throw new DosekitError('E_INVALID_ARGUMENT', `rxDose must be a positive number of Gy (got ${rx})`);
  return rx;
}

/**
 * Factor that turns a dose in `from` units into `to` units (rx in Gy). Throws E_NO_RX_DOSE when a
 * relative/absolute conversion is needed and no prescription dose is known.
 */
function doseScale(from: DvhDoseUnits, to: DvhDoseUnits, rxDoseGy: number | undefined): (value: number) => number {
  if (from === to) return (v) => v;
  if (from === 'Gy' && to === 'cGy') return (v) => v * 100;
  if (from === 'cGy' && to === 'Gy') return (v) => v / 100;
  const rx = resolveRx(undefined, rxDoseGy, `Converting between ${from} and ${to} dose`);
  if (to === '%') return from === 'Gy' ? (v) => (v * 100) / rx : (v) => v / rx;
  return to === 'Gy' ? (v) => (v * rx) / 100 : (v) => v * rx;
}

/**
 * An immutable dose-volume histogram. Every conversion returns a new DVH (or this one when
 * nothing changes); arrays are stored as private Float64Array copies and handed out as copies.
 *
 * Conventions: `bins` are N+1 edges in {@link DVH.doseUnits}; `counts` are N values in
 * {@link DVH.volumeUnits}; `rxDose` is always in Gy. Statistics are read from the cumulative form
 * with the DVH's {@link DVH.lookup} mode.
 */
export class DVH {
  /** Cumulative or differential. */
  readonly type: DvhType;
  /** Units of the bin edges ('Gy', 'cGy' or '%' of rxDose). */
  readonly doseUnits: DvhDoseUnits;
  /** Units of the counts ('cm3' or '%' of the structure volume). */
  readonly volumeUnits: DvhVolumeUnits;
  /** Prescription dose in Gy, when known. */
  readonly rxDose?: number;
  /** Structure name, when known. */
  readonly name?: string;
  /** Display colour [r, g, b] (0–255), when known. */
  readonly color?: RgbColor;
  /** Free-text notes. */
  readonly notes?: string;
  /** Dx / Vx lookup mode (see {@link DvhLookup}). */
  readonly lookup: DvhLookup;
  /** How a calculated DVH was computed (algorithm, backend), when it was calculated by dosekit. */
  readonly computedBy?: DvhProvenance;
  /** Exact [min, max] dose in {@link DVH.doseUnits} when known (see {@link DvhInit.doseRange}). */
  readonly doseRange?: readonly [number, number];

  readonly #counts: Float64Array;
  readonly #bins: Float64Array;
  #cumulative?: Float64Array;
  #differential?: Float64Array;
  /** Memoised conversions (the getters return the same instance every time). */
  #memo: { differential?: DVH; cumulative?: DVH; relativeVolume?: DVH } = {};

  /**
   * @throws DosekitError `E_INVALID_DVH` when counts and bins do not fit together, bins are not
   *   strictly increasing or are negative, a count is negative or not finite, or a unit, type,
   *   lookup, rxDose or colour is not recognised.
   */
  constructor(init: DvhInit) {
    if (init === null || typeof init !== 'object') throw invalid('DVH options must be an object with counts and bins');
    this.type = checkMember(init.type ?? 'cumulative', DVH_TYPES, 'type');
    this.doseUnits = checkMember(init.doseUnits ?? 'Gy', DVH_DOSE_UNITS, 'doseUnits');
    this.volumeUnits = checkMember(init.volumeUnits ?? 'cm3', DVH_VOLUME_UNITS, 'volumeUnits');
    this.lookup = checkMember(init.lookup ?? 'interpolate', DVH_LOOKUPS, 'lookup');
    let counts = checkedArray(init.counts, 'counts');
    let bins = checkedArray(init.bins, 'bins');
    if (counts.length === 0) throw invalid('DVH counts are empty; a DVH needs at least one bin (use counts [0], bins [0, 1] for an empty structure)');
    counts.forEach((c, i) => {
      if (c < 0) throw invalid(`DVH counts[${i}] is negative (${c}); volumes cannot be negative`);
    });
    if (bins.length === counts.length && bins.length > 0 && bins[0] !== 0) {
      bins = Float64Array.of(0, ...bins);
    } else if (bins.length !== counts.length + 1) {
      throw invalid(
        `DVH has ${counts.length} counts but ${bins.length} bins; bins must be the ${counts.length + 1} bin edges ` +
          `(or ${counts.length} upper edges not starting at 0)`,
      );
    } else if (bins[0]! > 0) {
      bins = Float64Array.of(0, ...bins);
      counts = Float64Array.of(this.type === 'cumulative' ? counts[0]! : 0, ...counts);
    }
    for (let i = 0; i < bins.length; i++) {
      if (bins[i]! < 0) throw invalid(`DVH bins[${i}] is negative (${bins[i]}); doses cannot be negative`);
      if (i > 0 && !(bins[i]! > bins[i - 1]!)) throw invalid(`DVH bins are not strictly increasing: bins[${i - 1}] = ${bins[i - 1]}, bins[${i}] = ${bins[i]}`);
    }
    this.#counts = counts;
    this.#bins = bins;
    if (init.rxDose !== undefined) {
      if (typeof init.rxDose !== 'number' || !(init.rxDose > 0) || !Number.isFinite(init.rxDose)) {
        throw invalid(`DVH rxDose must be a positive number of Gy (got ${String(init.rxDose)})`);
      }
      this.rxDose = init.rxDose;
    }
    if (init.name !== undefined) {
      if (typeof init.name !== 'string') throw invalid('DVH name must be a string');
      this.name = init.name;
    }
    if (init.notes !== undefined) {
      if (typeof init.notes !== 'string') throw invalid('DVH notes must be a string');
      this.notes = init.notes;
    }
    if (init.color !== undefined) {
      const c = init.color;
      if (!Array.isArray(c) || c.length !== 3 || !c.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
        throw invalid(`DVH color must be [r, g, b] with integers 0-255 (got ${JSON.stringify(c)})`);
      }
      this.color = Object.freeze([c[0], c[1], c[2]]) as RgbColor;
    }
    if (init.computedBy !== undefined && (typeof init.computedBy !== 'object' || init.computedBy === null || Array.isArray(init.computedBy))) {
      throw invalid(`DVH computedBy must be an object such as {algorithm, backend} (got ${describeValue(init.computedBy)})`);
    }
    if (init.computedBy !== undefined) this.computedBy = Object.freeze({ ...init.computedBy });
    if (init.doseRange !== undefined) {
      if (!Array.isArray(init.doseRange) || init.doseRange.length !== 2) throw invalid(`DVH doseRange must be [min, max] (got ${describeValue(init.doseRange)})`);
      const [lo, hi] = init.doseRange;
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo >= 0 && hi >= lo)) throw invalid(`DVH doseRange must be [min, max] with 0 <= min <= max (got ${JSON.stringify(init.doseRange)})`);
      this.doseRange = Object.freeze([lo, hi]) as readonly [number, number];
    }
    Object.freeze(this);
  }

  // ----------------------------------------------------------------------- constructors

  /**
   * A differential DVH histogramming dose samples (one per voxel). Bin k is
   * [k·binWidth, (k+1)·binWidth); there are floor(max / binWidth) + 1 bins, so the highest sample
   * lies in the last one. Unlike dicompyler-core's `from_data`, the result is labelled differential.
   * @param doses Dose samples in `options.doseUnits` (default Gy), finite and non-negative.
   * @param binWidth Bin width in the same units, positive.
   * @throws DosekitError `E_INVALID_ARGUMENT` for a bad sample or bin width.
   */
  static fromData(doses: ArrayLike<number>, binWidth: number, options: FromDataOptions = {}): DVH {
    requireNumberList(doses, 'doses', false);
    requireOptions(options, 'options', [...METADATA_FIELDS, 'doseUnits', 'voxelVolumeCm3']);
    if (!(binWidth > 0) || !Number.isFinite(binWidth)) throw new DosekitError('E_INVALID_ARGUMENT', `binWidth must be a positive number (got ${binWidth})`);
    const voxel = options.voxelVolumeCm3 ?? 1;
    if (!(voxel > 0) || !Number.isFinite(voxel)) throw new DosekitError('E_INVALID_ARGUMENT', `voxelVolumeCm3 must be positive (got ${voxel})`);
    let max = 0;
    for (let i = 0; i < doses.length; i++) {
      const d = doses[i]!;
      if (!Number.isFinite(d) || d < 0) throw new DosekitError('E_INVALID_ARGUMENT', `doses[${i}] is ${d}; dose samples must be finite and non-negative`);
      if (d > max) max = d;
    }
    const n = Math.floor(max / binWidth) + 1;
    if (!(n <= MAX_FROM_DATA_BINS)) {
      throw new DosekitError('E_INVALID_ARGUMENT', `the largest dose ${max} in bins of ${binWidth} would make ${n} bins, more than the ${MAX_FROM_DATA_BINS} DVH.fromData makes; give a wider binWidth.`, { argument: 'binWidth', bins: n, maxBins: MAX_FROM_DATA_BINS });
    }
    const bins = new Float64Array(n + 1);
    for (let k = 0; k <= n; k++) bins[k] = k * binWidth;
    const sampleCounts = new Float64Array(n);
    for (let i = 0; i < doses.length; i++) {
      const d = doses[i]!;
      let k = Math.min(n - 1, Math.floor(d / binWidth));
      while (k > 0 && d < bins[k]!) k--;
      while (k < n - 1 && d >= bins[k + 1]!) k++;
      sampleCounts[k] = sampleCounts[k]! + 1;
    }
    const counts = sampleCounts.map((c) => c * voxel);
    const { doseUnits, voxelVolumeCm3: _voxel, ...metadata } = options;
    return new DVH({ ...metadata, counts, bins, type: 'differential', doseUnits: doseUnits ?? 'Gy', volumeUnits: 'cm3' });
  }

  /**
   * The DVH a TPS stored in an RT Dose's DVH Sequence for one ROI (the first matching item), read
   * as dicompyler-core's `from_dicom_dvh` does: bins = 0 followed by the running sum of the DVHData
   * bin widths × DVHDoseScaling; counts = the DVHData volumes; DVHType lower-cased; DoseUnits GY → Gy,
   * CGY → cGy, RELATIVE → %; DVHVolumeUnits CM3 → cm3 and PERCENT → % (dicompyler-core's 'percent'
   * quirk fixed). DVHMinimum/Maximum/MeanDose are not used.
   * @param source A DicomParser (anything with `getDVHs()`) or the DVH Sequence items.
   * @param roiNumber The ReferencedROINumber to look for.
   * @throws DosekitError `E_NO_DVH` naming the ROI and listing those present; `E_INVALID_DVH` for a
   *   NATURAL DVH, PER_U volumes, unknown units, malformed DVHData, or a CUMULATIVE DVH whose volume
   *   rises with dose by more than 1e-6 of its largest volume.
   */
  static fromDicomDvh(source: DicomDvhSource, roiNumber: number, options: DvhMetadata = {}): DVH {
    const records = dicomDvhRecords(source);
    requireInteger(roiNumber, 'roiNumber');
    requireOptions(options, 'options', METADATA_FIELDS);
    const record = records.find((r) => r.referencedRoiNumber === roiNumber);
    if (record === undefined) {
      const present = [...new Set(records.map((r) => r.referencedRoiNumber))];
      throw new DosekitError(
        'E_NO_DVH',
        `The RT Dose has no DVH for ROI ${roiNumber}; DVHs are stored for ROI ${present.length ? present.join(', ') : '(none)'}`,
        { roiNumber, present },
      );
    }
    const type = record.type.toLowerCase();
    if (type !== 'cumulative' && type !== 'differential') throw invalid(`DICOM DVHType ${record.type} for ROI ${roiNumber} is not supported (only CUMULATIVE and DIFFERENTIAL)`);
    const doseUnits = ({ GY: 'Gy', CGY: 'cGy', RELATIVE: '%' } as const)[record.doseUnits.toUpperCase() as 'GY' | 'CGY' | 'RELATIVE'];
    if (doseUnits === undefined) throw invalid(`DICOM DoseUnits ${record.doseUnits} for ROI ${roiNumber} is not GY, CGY or RELATIVE`);
    const volumeUnits = ({ CM3: 'cm3', PERCENT: '%' } as const)[record.volumeUnits.toUpperCase() as 'CM3' | 'PERCENT'];
    if (volumeUnits === undefined) throw invalid(`DICOM DVHVolumeUnits ${record.volumeUnits} for ROI ${roiNumber} is not supported (only CM3 and PERCENT)`);
    const data = record.data;
    if (data.length === 0 || data.length % 2 !== 0) throw invalid(`DICOM DVHData for ROI ${roiNumber} must hold (width, volume) pairs; it has ${data.length} values`);
    const n = data.length / 2;
    const bins = new Float64Array(n + 1);
    const counts = new Float64Array(n);
    let edge = 0;
    for (let i = 0; i < n; i++) {
      edge += data[2 * i]!;
      bins[i + 1] = edge * record.doseScaling;
      counts[i] = data[2 * i + 1]!;
    }
    if (type === 'cumulative') checkFalling(counts, bins, roiNumber, doseUnits, volumeUnits);
    return new DVH({ ...options, counts, bins, type, doseUnits, volumeUnits });
  }

  /** Rebuilds a DVH from {@link DVH.toJSON} output (an object or its JSON text). Exact. */
  static fromJSON(json: DvhJson | string): DVH {
    const data = parseDvhJson(json);
    return new DVH(data);
  }

  /** Rebuilds a DVH from {@link DVH.toCSV} output. Exact. */
  static fromCSV(text: string): DVH {
    requireString(text, 'text');
    return new DVH(parseDvhCsv(text));
  }

  // ----------------------------------------------------------------------- raw data

  /** A copy of the N counts, in {@link DVH.volumeUnits}. */
  get counts(): Float64Array {
    return this.#counts.slice();
  }

  /** A copy of the N+1 bin edges, in {@link DVH.doseUnits}. */
  get bins(): Float64Array {
    return this.#bins.slice();
  }

  /** Number of bins N. */
  get numBins(): number {
    return this.#counts.length;
  }

  /** Bin centres (N values, the mean of each pair of edges), in {@link DVH.doseUnits}. */
  get bincenters(): Float64Array {
    const b = this.#bins;
    const out = new Float64Array(this.#counts.length);
    for (let i = 0; i < out.length; i++) out[i] = 0.5 * (b[i]! + b[i + 1]!);
    return out;
  }

  /** Cumulative counts (cached): the reverse running sum of a differential DVH, summed from the top bin down. */
  #cumulativeCounts(): Float64Array {
    if (this.type === 'cumulative') return this.#counts;
    if (this.#cumulative === undefined) {
      const d = this.#counts;
      const c = new Float64Array(d.length);
      let sum = 0;
      for (let i = d.length - 1; i >= 0; i--) c[i] = sum += d[i]!;
      this.#cumulative = c;
    }
    return this.#cumulative;
  }

  /**
   * Differential counts (cached): |c[i] − c[i+1]| with c[N] = 0, as dicompyler-core (the absolute
   * value turns a noisy, slightly increasing cumulative curve into positive counts).
   */
  #differentialCounts(): Float64Array {
    if (this.type === 'differential') return this.#counts;
    if (this.#differential === undefined) {
      const c = this.#counts;
      const d = new Float64Array(c.length);
      for (let i = 0; i < c.length; i++) d[i] = Math.abs(c[i]! - (i + 1 < c.length ? c[i + 1]! : 0));
      this.#differential = d;
    }
    return this.#differential;
  }

  #init(): DvhInit {
    return {
      counts: this.#counts,
      bins: this.#bins,
      type: this.type,
      doseUnits: this.doseUnits,
      volumeUnits: this.volumeUnits,
      rxDose: this.rxDose,
      name: this.name,
      color: this.color,
      notes: this.notes,
      lookup: this.lookup,
      computedBy: this.computedBy,
      doseRange: this.doseRange,
    };
  }

  #derive(changes: Partial<DvhInit>): DVH {
    return new DVH({ ...this.#init(), ...changes });
  }

  /** A copy with some metadata replaced (name, colour, notes, rxDose in Gy, lookup mode). */
  with(changes: DvhMetadata): DVH {
    requireObject(changes, 'changes');
    requireOptions(changes, 'changes', METADATA_FIELDS);
    return this.#derive(changes);
  }

  // ----------------------------------------------------------------------- conversions

  /** The differential form (this DVH when already differential). */
  get differential(): DVH {
    if (this.type === 'differential') return this;
    return (this.#memo.differential ??=
      this.#derive({ type: 'differential', counts: this.#differentialCounts() }));
  }

  /** The cumulative form (this DVH when already cumulative). */
  get cumulative(): DVH {
    if (this.type === 'cumulative') return this;
    return (this.#memo.cumulative ??=
      this.#derive({ type: 'cumulative', counts: this.#cumulativeCounts() }));
  }

  /**
   * Volumes as percent of the structure volume (the largest cumulative count): counts × 100 / that
   * volume; an empty structure stays all zero. This DVH when already relative.
   */
  get relativeVolume(): DVH {
    if (this.volumeUnits === '%') return this;
    return (this.#memo.relativeVolume ??= this.#toRelativeVolume());
  }

  #toRelativeVolume(): DVH {
    const cumulative = this.#cumulativeCounts();
    let total = 0;
    for (const c of cumulative) if (c > total) total = c;
    const divisor = total > 0 ? total : 1;
    const scale = (counts: Float64Array): Float64Array => counts.map((c) => (c * 100) / divisor);
    const counts = scale(this.type === 'cumulative' ? cumulative : this.#differentialCounts());
    return this.#derive({ counts, volumeUnits: '%' });
  }

  /**
   * Volumes in cm³ for a relative-volume DVH: counts × volumeCm3 / 100 (this DVH when already absolute).
   * @param volumeCm3 The structure volume in cm³.
   */
  absoluteVolume(volumeCm3: number): DVH {
    optional(volumeCm3, 'volumeCm3', (v, n) => requireFiniteNumber(v, n, { min: 0 }));
    if (this.volumeUnits === 'cm3') return this;
    if (!(volumeCm3 >= 0) || !Number.isFinite(volumeCm3)) throw new DosekitError('E_INVALID_ARGUMENT', `volumeCm3 must be a non-negative number (got ${volumeCm3})`);
    return this.#derive({ counts: this.#counts.map((c) => (c * volumeCm3) / 100), volumeUnits: 'cm3' });
  }

  /**
   * Dose as percent of the prescription: bins × 100 / rxDose (this DVH when already relative).
   * @param rxDose Prescription dose in Gy; defaults to {@link DVH.rxDose}. An explicit argument
   *   wins over the stored value (dicompyler-core does the opposite); the result stores the rx used.
   * @throws DosekitError `E_NO_RX_DOSE` when no prescription dose is known.
   */
  relativeDose(rxDose?: number): DVH {
    optional(rxDose, 'rxDose', (v, n) => requireFiniteNumber(v, n, { min: 0, minExclusive: true }));
    if (this.doseUnits === '%') return this;
    const rx = resolveRx(rxDose, this.rxDose, 'relativeDose');
    const toPercent = doseScale(this.doseUnits, '%', rx);
    return (
      this.#derive({ bins: this.#bins.map(toPercent), doseUnits: '%', rxDose: rx, doseRange: this.doseRange && [toPercent(this.doseRange[0]), toPercent(this.doseRange[1])] })
    );
  }

  /**
   * Dose in Gy: bins × rxDose / 100 for a relative DVH, bins / 100 for a cGy DVH (this DVH when in Gy).
   * @param rxDose Prescription dose in Gy; defaults to {@link DVH.rxDose} (an explicit argument wins).
   * @throws DosekitError `E_NO_RX_DOSE` when a relative DVH has no prescription dose.
   */
  absoluteDose(rxDose?: number): DVH {
    optional(rxDose, 'rxDose', (v, n) => requireFiniteNumber(v, n, { min: 0, minExclusive: true }));
    if (this.doseUnits === 'Gy') return this;
    if (this.doseUnits === 'cGy') return this.#derive({ bins: this.#bins.map((b) => b / 100), doseUnits: 'Gy', doseRange: this.doseRange && [this.doseRange[0] / 100, this.doseRange[1] / 100] });
    const rx = resolveRx(rxDose, this.rxDose, 'absoluteDose');
    return (
      this.#derive({ bins: this.#bins.map(doseScale('%', 'Gy', rx)), doseUnits: 'Gy', rxDose: rx, doseRange: this.doseRange && [doseScale('%', 'Gy', rx)(this.doseRange[0]), doseScale('%', 'Gy', rx)(this.doseRange[1])] })
    );
  }

  // ----------------------------------------------------------------------- scalar statistics

  /** Index range [lo, hi] of the non-empty differential bins, or undefined when all are empty. */
  #occupied(): [number, number] | undefined {
    const d = this.#differentialCounts();
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < d.length; i++) {
      if (d[i] !== 0) {
        if (lo < 0) lo = i;
        hi = i;
      }
    }
    return lo < 0 ? undefined : [lo, hi];
  }

  /** dicompyler-core returns 0 for max/min/mean of a DVH with at most one bin. */
  #dicompylerDegenerate(): boolean {
    return this.lookup === 'dicompyler' && this.#counts.length <= 1;
  }

  /** Structure volume: the sum of the differential counts, in {@link DVH.volumeUnits} (0 for an empty DVH). */
  get volume(): number {
    let sum = 0;
    for (const d of this.#differentialCounts()) sum += d;
    return sum;
  }

  /**
   * Maximum dose in {@link DVH.doseUnits}: the upper edge of the highest non-empty bin (every dose
   * is below it), in both modes; 0 for an empty DVH (and, in 'dicompyler' mode, for a single bin).
   */
  get max(): number {
    const range = this.#occupied();
    if (range === undefined || this.#dicompylerDegenerate()) return 0;
    if (this.doseRange && this.lookup === 'interpolate') return this.doseRange[1];
    return this.#bins[range[1] + 1]!;
  }

  /**
   * Minimum dose in {@link DVH.doseUnits}. 'interpolate': the lower edge of the lowest non-empty bin
   * (every dose is at least this; equals D100). 'dicompyler': that bin's upper edge, as
   * dicompyler-core. 0 for an empty DVH (and, in 'dicompyler' mode, for a single bin).
   */
  get min(): number {
    const range = this.#occupied();
    if (range === undefined || this.#dicompylerDegenerate()) return 0;
    if (this.doseRange && this.lookup === 'interpolate') return this.doseRange[0];
    return this.#bins[this.lookup === 'dicompyler' ? range[0] + 1 : range[0]]!;
  }

  /**
   * Mean dose in {@link DVH.doseUnits}: Σ(bin centre × differential count) / Σ count (exact when
   * dose is uniform inside each bin), the centres of the lowest and highest bins taken within the
   * exact dose range where the DVH has one (so the mean always lies between min and max); 0 for an empty DVH (and, in 'dicompyler' mode, for a single bin).
   */
  get mean(): number {
    if (this.#occupied() === undefined || this.#dicompylerDegenerate()) return 0;
    const d = this.#differentialCounts();
    const b = this.#bins;
    // With the exact extremes known, a bin's doses lie in its part inside them: a uniform 10 Gy
    // dose fills the bin [10, 10.001) but its mean is 10, not the bin centre, and never above Dmax.
    const [lowest, highest] = this.doseRange && this.lookup === 'interpolate' ? this.doseRange : [-Infinity, Infinity];
    let weighted = 0;
    let total = 0;
    for (let i = 0; i < d.length; i++) {
      if (d[i] === 0) continue;
      const from = Math.min(Math.max(b[i]!, lowest), highest);
      const to = Math.max(Math.min(b[i + 1]!, highest), lowest);
      weighted += 0.5 * (from + to) * d[i]!;
      total += d[i]!;
    }
    return weighted / total;
  }

  // ----------------------------------------------------------------------- D / V statistics

  /**
   * Volume receiving at least `dose` (the Vx statistic), read from the cumulative curve with this
   * DVH's lookup mode.
   * @param dose The dose threshold.
   * @param doseUnits Units of `dose`: 'Gy', 'cGy' or '%' of rxDose (the default, as dicompyler).
   * @returns The volume in {@link DVH.volumeUnits}.
   * @throws DosekitError `E_NO_RX_DOSE` when converting between relative and absolute dose without rxDose.
   */
  volumeConstraint(dose: number, doseUnits: DvhDoseUnits = '%'): DVHValue {
    checkMember(doseUnits, DVH_DOSE_UNITS, 'doseUnits');
    if (!Number.isFinite(dose)) throw new DosekitError('E_INVALID_ARGUMENT', `dose must be a finite number (got ${dose})`);
    const edges = doseUnits === this.doseUnits ? this.#bins : this.#bins.map(doseScale(this.doseUnits, doseUnits, this.rxDose));
    return new DVHValue(lookupVolumeAtDose(edges, this.#cumulativeCounts(), dose, this.lookup), this.volumeUnits);
  }

  /**
   * Dose received by at least `volume` (the Dx statistic), read from the cumulative curve with this
   * DVH's lookup mode. Returns 0 when a cm³ `volume` exceeds the structure volume (as dicompyler-core).
   * @param volume The volume.
   * @param volumeUnits Units of `volume`: '%' of the structure volume (the default) or 'cm3'.
   * @returns The dose in {@link DVH.doseUnits}.
   * @throws DosekitError `E_INVALID_ARGUMENT` when a cm³ volume is asked of a relative-volume DVH,
   *   or the volume is negative or above 100 %.
   */
  doseConstraint(volume: number, volumeUnits: DvhVolumeUnits = '%'): DVHValue {
    checkMember(volumeUnits, DVH_VOLUME_UNITS, 'volumeUnits');
    if (!Number.isFinite(volume)) throw new DosekitError('E_INVALID_ARGUMENT', `volume must be a finite number (got ${volume})`);
    // No structure has a negative volume or more than 100 % of itself: such a D would read 0 Gy.
    if (volume < 0 || (volumeUnits === '%' && volume > 100)) {
      throw new DosekitError('E_INVALID_ARGUMENT', `volume must be ${volumeUnits === '%' ? 'from 0 to 100 %' : 'at least 0 cm3'} (got ${volume} ${volumeUnits}).`, { volume, volumeUnits });
    }
    if (volumeUnits === 'cm3' && this.volumeUnits === '%') {
      throw new DosekitError('E_INVALID_ARGUMENT', `A cm3 dose constraint needs absolute volumes; this DVH is in %: call absoluteVolume(volumeCm3) first`);
    }
    return new DVHValue(lookupDoseAtVolume(this.#bins, this.#cumulativeCounts(), volume, volumeUnits === '%', this.lookup), this.doseUnits);
  }

  /**
   * A statistic by name (grammar: see `STATISTIC_GRAMMAR`): `D95`/`D95%` (dose to 95 % of the
   * volume), `D2cc`, `D0.03cc`, `V20Gy`, `V2000cGy`, `V95`/`V95%` (volume receiving 95 % of rxDose),
   * `Dmean`, `Dmax`, `Dmin`.
   * @throws DosekitError `E_BAD_STATISTIC` for a name outside the grammar; `E_NO_RX_DOSE` when a
   *   relative dose is asked without rxDose.
   */
  statistic(name: string): DVHValue {
    const parsed = parseStatisticName(name);
    switch (parsed.kind) {
      case 'Dmean':
        return new DVHValue(this.mean, this.doseUnits);
      case 'Dmax':
        return new DVHValue(this.max, this.doseUnits);
      case 'Dmin':
        return new DVHValue(this.min, this.doseUnits);
      case 'D':
        return this.doseConstraint(parsed.volume, parsed.volumeUnits);
      case 'V':
        return this.volumeConstraint(parsed.dose, parsed.doseUnits);
    }
  }

  /**
   * ICRU 83 homogeneity index (D2 − D98) / D50 with percent-volume D-values in this DVH's lookup
   * mode; dimensionless. NaN when D50 is 0.
   */
  get homogeneityIndex(): number {
    const d50 = this.doseConstraint(50).value;
    if (d50 === 0) return NaN;
    return (this.doseConstraint(2).value - this.doseConstraint(98).value) / d50;
  }

  /**
   * Generalised equivalent uniform dose (Niemierko): (Σ vᵢ dᵢᵃ / V)^(1/a) over the differential
   * DVH, with dᵢ the bin centre and vᵢ the bin's volume; in {@link DVH.doseUnits}. a = 1 gives the
   * mean dose, large a tends to the maximum, negative a (targets) to the minimum. 0 for an empty DVH.
   * @param a The volume-effect parameter; any finite non-zero number.
   * @throws DosekitError `E_INVALID_ARGUMENT` when a is 0 or not finite.
   */
  gEUD(a: number): number {
    if (!Number.isFinite(a) || a === 0) throw new DosekitError('E_INVALID_ARGUMENT', `gEUD parameter a must be a finite non-zero number (got ${a})`);
    const d = this.#differentialCounts();
    const b = this.#bins;
    let sum = 0;
    let total = 0;
    for (let i = 0; i < d.length; i++) {
      if (d[i] === 0) continue;
      sum += d[i]! * Math.pow(0.5 * (b[i]! + b[i + 1]!), a);
      total += d[i]!;
    }
    return total === 0 ? 0 : Math.pow(sum / total, 1 / a);
  }

  // ----------------------------------------------------------------------- output

  /**
   * dicompyler-core's `describe()` text, every line ending with `\n` (so it equals dicompyler's stdout
   * exactly, final newline included). An unnamed DVH prints `Structure: None`.
   */
  describe(): string {
    return describeDvh(this);
  }

  /**
   * Compares this DVH (a, the reference) with `other` (b, the evaluated one) as dicompyler-core's
   * `compare()`: `text` is its stdout, `rows` the same numbers as data; plus `gamma` (DVH-gamma of
   * `other` against this one, tolerances in `options`, default 1 %/1 %) and `differences`
   * (other − this: volume in cm³, mean and D-values in Gy). See `compareDvhs`.
   * @throws DosekitError `E_INCOMPATIBLE_DVH` when dose or volume units differ.
   */
  compare(other: DVH, options: DvhGammaOptions = {}): DvhComparison {
    return compareDvhs(this, other, options);
  }

  /** Plain data for JSON (`JSON.stringify(dvh)` works); exact, see {@link DVH.fromJSON}. */
  toJSON(): DvhJson {
    const json: { -readonly [K in keyof DvhJson]: DvhJson[K] } = {
      format: DVH_JSON_FORMAT,
      version: DVH_JSON_VERSION,
      type: this.type,
      doseUnits: this.doseUnits,
      volumeUnits: this.volumeUnits,
      lookup: this.lookup,
      counts: Array.from(this.#counts),
      bins: Array.from(this.#bins),
    };
    if (this.rxDose !== undefined) json.rxDose = this.rxDose;
    if (this.name !== undefined) json.name = this.name;
    if (this.color !== undefined) json.color = [this.color[0], this.color[1], this.color[2]];
    if (this.notes !== undefined) json.notes = this.notes;
    if (this.doseRange !== undefined) json.doseRange = [this.doseRange[0], this.doseRange[1]];
    return json;
  }

  /** CSV text (see `dvhToCsv` for the layout); exact, see {@link DVH.fromCSV}. */
  toCSV(): string {
    return dvhToCsv(this.toJSON());
  }

  /** Short summary, e.g. `DVH(cumulative, 249 bins: [0:2.49] Gy, volume: 440.23 cm3, name: Heart)`. */
  toString(): string {
    const b = this.#bins;
    return (
      `DVH(${this.type}, ${this.numBins} bins: [${b[0]}:${b[b.length - 1]}] ${this.doseUnits}, ` +
      `volume: ${this.volume} ${this.volumeUnits}, name: ${this.name ?? 'None'}, rx_dose: ${this.rxDose ?? 0} Gy` +
      `${this.notes ? `, *Notes: ${this.notes}` : ''})`
    );
  }
}
