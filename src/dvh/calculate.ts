// SPDX-License-Identifier: BSD-3-Clause
// getDvh / calculateDvhs: every requested ROI in one pass over the dose planes, on a backend.
import type { BackendInfo, ComputeBackend, PlaneHistogramJob } from '../backend/compute-backend.js';
import { throwIfAborted } from '../backend/abort.js';
import { createBackend } from '../backend/create-backend.js';
import { DosekitError, type DosekitErrorCode, isDosekitError } from '../errors.js';
import type { DoseBinning } from '../kernels/dose-histogram.js';
import type { MaskLayer } from '../kernels/polygon-mask.js';
import type { DoseGrid } from '../model/dose-grid.js';
import { type DosePlaneSource, bracketDosePlane, dosePlaneKey, dosePlaneValues, locateDosePlane } from '../model/dose-plane.js';
import { smallestPlaneGapMm } from '../model/structure-volume.js';
import { type ContourPlane, type Roi, type StructureSet, findRoi } from '../model/structure-set.js';
import { type DvhCalculationOptions, validateOptions } from './calculation-options.js';
import { DVH } from './dvh.js';
import { type DoseGridInput, type StructureSetInput, resolveDoseGrid, resolveStructureSet } from './inputs.js';
import { type InPlaneSampling, supersampledSampling, voxelCentreSampling } from './sampling.js';

/** One ROI's calculated DVH. */
export interface RoiDvh {
  readonly roi: number;
  readonly name: string;
  readonly dvh: DVH;
}

/** Why one ROI has no DVH (the other ROIs are unaffected). */
export interface RoiDvhError {
  readonly roi: number | string;
  readonly name: string;
  readonly code: DosekitErrorCode;
  readonly message: string;
}

/** The outcome of `calculateDvhs`. */
export interface DvhCalculationResult {
  readonly algorithm: 'dicompyler';
  readonly backend: BackendInfo;
  readonly dvhs: readonly RoiDvh[];
  readonly errors: readonly RoiDvhError[];
}

/** Options of `calculateDvhs`: which ROIs (numbers or names; default all) plus the calculation options. */
export interface CalculateDvhsOptions extends DvhCalculationOptions {
  readonly rois?: readonly (number | string)[] | 'all';
}

const NOTE_FULL = 'Dose grid does not encompass every contour. Volume calculated for all contours.';
const NOTE_WITHIN = 'Dose grid does not encompass every contour. Volume calculated within dose grid.';

/** One slab of one ROI: a contour plane (or a sub-slab of it) with its dose source. */
interface Slab {
  readonly thicknessMm: number;
  readonly source: DosePlaneSource;
  /** Out-of-grid slab counted for volume only (dicompyler-core's calculate_full_volume). */
  readonly volumeOnly: boolean;
  readonly layer: MaskLayer;
  counted: number;
  counts: Float64Array | null;
}

interface RoiPlan {
  readonly roi: Roi;
  readonly slabs: Slab[];
  note?: string;
}

const ringCache = new WeakMap<object, Float64Array>();

function ringOf(points: Float64Array): Float64Array {
  let ring = ringCache.get(points);
  if (!ring) {
    ring = new Float64Array((points.length / 3) * 2);
    for (let k = 0, p = 0; p < points.length; k += 2, p += 3) {
      ring[k] = points[p];
      ring[k + 1] = points[p + 1];
    }
    ringCache.set(points, ring);
  }
  return ring;
}

function layerOf(plane: ContourPlane): MaskLayer {
  // dicompyler-core builds a path from every contour of the plane; rings of fewer than three
  // points enclose nothing.
  return { rings: plane.contours.filter((c) => c.pointCount >= 3 && c.geometricType !== 'POINT').map((c) => ringOf(c.pointsMm)) };
}

function roiError(roi: Roi | { number: number | string; name: string }, code: DosekitErrorCode, message: string): RoiDvhError {
  return { roi: roi.number, name: roi.name, code, message };
}

/** Checks an ROI can be calculated at all; returns the reason when it cannot. */
function unusable(roi: Roi, source: string, options: DvhCalculationOptions): RoiDvhError | null {
  if (roi.planes.length === 0) {
    return roiError(roi, 'E_EMPTY_ROI', `${source}: ROI ${roi.number} "${roi.name}" has no contours, so it has no volume and no DVH.`);
  }
  const closed = roi.planes.some((p) => p.contours.some((c) => c.geometricType !== 'POINT' && c.pointCount >= 3));
  if (!closed) {
    return roiError(roi, 'E_POINT_ROI', `${source}: ROI ${roi.number} "${roi.name}" holds only points or lines (no closed contour), so it encloses no volume.`);
  }
  if (roi.planes.length === 1 && !options.thicknessMm) {
    // dicompyler-core silently gives such an ROI thickness 0 and volume 0.
    return roiError(roi, 'E_UNKNOWN_THICKNESS', `${source}: ROI ${roi.number} "${roi.name}" has contours on one plane only, so its slab thickness is unknown; pass thicknessMm (--thickness-mm).`);
  }
  return null;
}

function planSlabs(roi: Roi, grid: DoseGrid, options: DvhCalculationOptions): RoiPlan {
  const thickness = options.thicknessMm ? options.thicknessMm : smallestPlaneGapMm(roi.planes.map((p) => p.zMm));
  const segments = options.interpolationSegmentsBetweenPlanes ?? 0;
  const interpolating = segments > 0 || options.interpolationResolutionMm !== undefined;
  const fullVolume = options.calculateFullVolume ?? true;
  // dicompyler-core walks the planes in string-sorted key order; only float summation order depends on it.
  const planes = [...roi.planes].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const plan: RoiPlan = { roi, slabs: [] };
  for (const plane of planes) {
    const layer = layerOf(plane);
    const parts = segments + 1;
    for (let k = 0; k < parts; k += 1) {
      const z = parts === 1 ? plane.zMm : plane.zMm + ((k + 0.5) / parts - 0.5) * thickness;
      const source = interpolating ? bracketDosePlane(grid, z) : locateDosePlane(grid, z, 0.5);
      if (source) {
        plan.slabs.push({ thicknessMm: thickness / parts, source, volumeOnly: false, layer, counted: 0, counts: null });
      } else if (fullVolume) {
        plan.note = NOTE_FULL;
        plan.slabs.push({ thicknessMm: thickness / parts, source: { kind: 'frame', frame: 0 }, volumeOnly: true, layer, counted: 0, counts: null });
      } else {
        plan.note = NOTE_WITHIN;
      }
    }
  }
  return plan;
}

function samplingFor(grid: DoseGrid, options: DvhCalculationOptions): InPlaneSampling {
  const resolution = options.interpolationResolutionMm;
  if (resolution === undefined) return voxelCentreSampling(grid);
  const [rowMm, columnMm] = typeof resolution === 'number' ? [resolution, resolution] : resolution;
  const g = grid.geometry;
  // Lattice x runs along columns, except on decubitus grids where it runs along rows.
  const columnFactor = Math.max(1, Math.round(g.pixelSpacingMm[1] / columnMm));
  const rowFactor = Math.max(1, Math.round(g.pixelSpacingMm[0] / rowMm));
  return g.xLutIndex === 1 ? supersampledSampling(grid, rowFactor, columnFactor) : supersampledSampling(grid, columnFactor, rowFactor);
}

/** dicompyler-core's bin count: floor(max dose in cGy) + 1, lowered to `limitCGy` when given. */
function binningFor(grid: DoseGrid, options: DvhCalculationOptions): DoseBinning {
  const unitsToCGy = grid.info.doseUnits === 'CGY' ? 1 : 100;
  let binCount = Math.trunc(grid.maxStoredValue * grid.doseGridScaling * unitsToCGy) + 1;
  if (options.limitCGy !== undefined && options.limitCGy < binCount) binCount = options.limitCGy;
  return { doseGridScaling: grid.doseGridScaling, unitsToCGy, binWidthCGy: 1, binCount };
}

function assemble(plan: RoiPlan, sampleAreaMm2: number, binning: DoseBinning, backend: BackendInfo, limited: boolean): DVH | RoiDvhError {
  const { roi } = plan;
  let volumeMm3 = 0;
  const histogram = new Float64Array(binning.binCount);
  for (const slab of plan.slabs) {
    volumeMm3 += slab.counted * (sampleAreaMm2 * slab.thicknessMm);
    if (!slab.volumeOnly && slab.counts) for (let b = 0; b < histogram.length; b += 1) histogram[b] += slab.counts[b];
  }
  const volumeCm3 = volumeMm3 / 1000;
  let total = 0;
  let last = -1;
  for (let b = 0; b < histogram.length; b += 1) {
    total += histogram[b];
    if (histogram[b] > 0) last = b;
  }
  if (last < 0) {
    const why = limited ? 'the ROI is outside the dose grid, smaller than its spacing, or all its dose lies above limitCGy' : 'the ROI is outside the dose grid or smaller than its spacing';
    return roiError(roi, 'E_NO_DOSE_OVERLAP', `ROI ${roi.number} "${roi.name}": no dose-grid sample inside its contours was counted (${why}).`);
  }
  // Spread the volume over the histogram (dicompyler-core: hist * volume / sum(hist)); this also
  // carries out-of-grid volume proportionally when calculateFullVolume is on.
  const counts = new Float64Array(last + 1);
  for (let b = 0; b <= last; b += 1) counts[b] = (histogram[b] * volumeCm3) / total;
  const bins = new Float64Array(last + 2);
  for (let k = 0; k < bins.length; k += 1) bins[k] = (k * binning.binWidthCGy) / 100;
  return new DVH({
    counts,
    bins,
    type: 'differential',
    doseUnits: 'Gy',
    volumeUnits: 'cm3',
    name: roi.name,
    color: [...roi.color] as [number, number, number],
    ...(plan.note ? { notes: plan.note } : {}),
    lookup: 'dicompyler',
    computedBy: { algorithm: 'dicompyler', backend, ...(roi.defect ? { warnings: [roi.defect.message] } : {}) },
  }).cumulative;
}

async function resolveBackend(choice: DvhCalculationOptions['backend']): Promise<{ backend: ComputeBackend; owned: boolean }> {
  if (choice && typeof choice === 'object') return { backend: choice, owned: false };
  return { backend: await createBackend({ backend: choice ?? 'auto' }), owned: true };
}

function checkFrameOfReference(structureSet: StructureSet, grid: DoseGrid, force: boolean | undefined): void {
  const a = structureSet.frameOfReferenceUid;
  const b = grid.info.frameOfReferenceUid;
  if (!force && a && b && a !== b) {
    throw new DosekitError(
      'E_FRAME_OF_REFERENCE_MISMATCH',
      `the structure set (${structureSet.source}) is in frame of reference ${a} but the dose (${grid.info.source}) is in ${b}; they do not share coordinates. Pair the right files, or pass force: true (--force) if you know they match.`,
      { attribute: 'FrameOfReferenceUID', structureSet: structureSet.source, dose: grid.info.source },
    );
  }
}

function checkDoseUnits(grid: DoseGrid): void {
  if (grid.info.doseUnits !== 'GY' && grid.info.doseUnits !== 'CGY') {
    throw new DosekitError('E_INCOMPATIBLE_DOSE', `${grid.info.source}: DoseUnits is ${grid.info.doseUnits}; absolute DVHs need a dose in GY or CGY.`, {
      file: grid.info.source,
      attribute: 'DoseUnits',
    });
  }
}

/**
 * Calculates the DVHs of several ROIs (default: all) in one pass over the dose planes. ROIs that
 * cannot be calculated (empty, points only, outside the dose grid) are reported in `errors`
 * with a code; they never stop the others.
 * @throws DosekitError for problems with the inputs as a whole (wrong file kinds, frame of
 *   reference mismatch, bad options); an AbortError when `signal` aborts.
 */
export async function calculateDvhs(structure: StructureSetInput, dose: DoseGridInput, options: CalculateDvhsOptions = {}): Promise<DvhCalculationResult> {
  validateOptions(options);
  throwIfAborted(options.signal);
  // One after the other, so that with both wrong the structure set's error is the one reported.
  const structureSet = await resolveStructureSet(structure);
  const grid = await resolveDoseGrid(dose);
  checkFrameOfReference(structureSet, grid, options.force);
  checkDoseUnits(grid);
  const errors: RoiDvhError[] = [];
  const requested: Roi[] = [];
  if (options.rois === undefined || options.rois === 'all') requested.push(...structureSet.rois);
  else {
    for (const id of options.rois) {
      try {
        const roi = findRoi(structureSet, id);
        if (!requested.includes(roi)) requested.push(roi);
      } catch (error) {
        if (!isDosekitError(error)) throw error;
        errors.push({ roi: id, name: String(id), code: error.code, message: error.message });
      }
    }
  }

  const sampling = samplingFor(grid, options);
  const binning = binningFor(grid, options);
  const plans: RoiPlan[] = [];
  for (const roi of requested) {
    const reason = unusable(roi, structureSet.source, options);
    if (reason) errors.push(reason);
    else plans.push(planSlabs(roi, grid, options));
  }

  // Group every slab of every ROI by dose plane: each plane is read (or interpolated) once and
  // all ROIs on it go to the backend together.
  const groups = new Map<string, { source: DosePlaneSource; slabs: Slab[] }>();
  for (const plan of plans) {
    for (const slab of plan.slabs) {
      const key = dosePlaneKey(slab.source);
      let group = groups.get(key);
      if (!group) {
        group = { source: slab.source, slabs: [] };
        groups.set(key, group);
      }
      group.slabs.push(slab);
    }
  }

  const { backend, owned } = await resolveBackend(options.backend);
  try {
    const planeSize = grid.geometry.rows * grid.geometry.columns;
    const entries = [...groups.values()];
    const batchSize = 8;
    for (let start = 0; start < entries.length; start += batchSize) {
      throwIfAborted(options.signal);
      const batch = entries.slice(start, start + batchSize);
      const jobs: PlaneHistogramJob[] = batch.map(({ source, slabs }) => {
        const values = source.kind === 'frame' && options.interpolationResolutionMm === undefined
          ? grid.pixels.subarray(source.frame * planeSize, (source.frame + 1) * planeSize)
          : dosePlaneValues(grid, source);
        return { lattice: sampling.lattice, plane: sampling.toPlane(values), binning, layers: slabs.map((s) => s.layer) };
      });
      const results = await backend.histogramPlanes(jobs, options.signal);
      batch.forEach((group, g) => {
        group.slabs.forEach((slab, s) => {
          slab.counted = results[g].counted[s];
          slab.counts = results[g].counts[s];
        });
      });
      options.onProgress?.(Math.min(1, (start + batch.length) / entries.length));
    }
    if (entries.length === 0) options.onProgress?.(1);
  } finally {
    if (owned) backend.dispose();
  }

  const dvhs: RoiDvh[] = [];
  for (const plan of plans) {
    const outcome = assemble(plan, sampling.sampleAreaMm2, binning, backend.info, options.limitCGy !== undefined);
    if (outcome instanceof DVH) dvhs.push({ roi: plan.roi.number, name: plan.roi.name, dvh: outcome });
    else errors.push(outcome);
  }
  return { algorithm: 'dicompyler', backend: backend.info, dvhs, errors };
}

/**
 * The DVH of one ROI (by number or name). Same options as `calculateDvhs`.
 * @throws DosekitError with the ROI's code (E_ROI_NOT_FOUND, E_EMPTY_ROI, E_POINT_ROI,
 *   E_NO_DOSE_OVERLAP) when it has no DVH.
 */
export async function getDvh(structure: StructureSetInput, dose: DoseGridInput, roi: number | string, options: DvhCalculationOptions = {}): Promise<DVH> {
  const result = await calculateDvhs(structure, dose, { ...options, rois: [roi] });
  const error = result.errors[0];
  if (error) throw new DosekitError(error.code, error.message, { roi: error.roi });
  return result.dvhs[0].dvh;
}
