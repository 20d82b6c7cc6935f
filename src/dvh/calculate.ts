// SPDX-License-Identifier: BSD-3-Clause
// getDvh / calculateDvhs: every requested ROI in one pass over the dose planes, on a backend.
import { createCheckpoint, throwIfAborted } from '../backend/abort.js';
import { checkCalculationOptions, checkInputKind, requireRoiRequest } from './calculate-arguments.js';
import type { BackendInfo, ComputeBackend } from '../backend/compute-backend.js';
import { createBackend } from '../backend/create-backend.js';
import { DosekitError, type DosekitErrorCode, isDosekitError } from '../errors.js';
import type { DoseGrid } from '../model/dose-grid.js';
import { checkPlausibleDose } from '../model/dose-plausibility.js';
import { type Roi, type StructureSet, findRoi, roiDefect } from '../model/structure-set.js';
import { roiWarnings } from '../model/roi-warnings.js';
import { runPlan } from './calculation-plan.js';
import { type DvhAlgorithm, type DvhCalculationOptions, validateOptions } from './calculation-options.js';
import { histogramBinning } from './dose-binning.js';
import { DVH, type DvhProvenance } from './dvh.js';
import { type DoseGridInput, type StructureSetInput, resolveDoseGrid, resolveStructureSet } from './inputs.js';
import { planWithDerived, resolveDerivedRois, splitRoiRequests } from './derived-requests.js';
import { checkPlanSize } from './plan-size.js';
import type { RoiExpressionRequest } from './roi-algebra.js';

/** One ROI's calculated DVH. */
export interface RoiDvh {
  readonly roi: number;
  readonly name: string;
  readonly dvh: DVH;
  /** A derived ROI's expression (then `roi` is its id: -1, -2, ... in the order requested). */
  readonly expression?: string;
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
  readonly algorithm: DvhAlgorithm;
  readonly backend: BackendInfo;
  readonly dvhs: readonly RoiDvh[];
  readonly errors: readonly RoiDvhError[];
}

/**
 * Options of `calculateDvhs`: which ROIs (numbers or names; default all), plus derived ROIs as
 * `{name, expression}` (structure algebra, e.g. `{name: 'Parotids', expression: '"Parotid L" | "Parotid R"'}`),
 * plus the calculation options.
 */
export interface CalculateDvhsOptions extends DvhCalculationOptions {
  readonly rois?: readonly (number | string | RoiExpressionRequest)[] | 'all';
}

/** The default algorithm of getDvh, calculateDvhs and the command line. */
export const DEFAULT_ALGORITHM: DvhAlgorithm = 'precise';

function roiError(roi: { number: number | string; name: string }, code: DosekitErrorCode, message: string): RoiDvhError {
  return { roi: roi.number, name: roi.name, code, message };
}

/** Checks an ROI can be calculated at all; returns the reason when it cannot. */
function unusable(roi: Roi, source: string, options: DvhCalculationOptions): RoiDvhError | null {
  const defect = roiDefect(roi, source);
  if (defect) {
    // A DVH without some of the ROI's contours (or with a vertex kilometres away) would be a wrong number that looks right.
    return roiError(roi, defect.code, `${defect.message} No DVH is computed for this ROI; correct the contour in the planning system and export again.`);
  }
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

async function resolveBackend(choice: DvhCalculationOptions['backend'], device: GPUDevice | undefined): Promise<{ backend: ComputeBackend; owned: boolean }> {
  if (choice && typeof choice === 'object') return { backend: choice, owned: false };
  if (device && choice !== 'cpu') return { backend: await createBackend({ backend: 'webgpu', device }), owned: true };
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

function requestedRois(structureSet: StructureSet, rois: readonly (number | string)[] | 'all' | undefined, errors: RoiDvhError[]): Roi[] {
  if (rois === undefined || rois === 'all') return [...structureSet.rois];
  const requested: Roi[] = [];
  for (const id of rois) {
    try {
      const roi = findRoi(structureSet, id);
      if (!requested.includes(roi)) requested.push(roi);
    } catch (error) {
      if (!isDosekitError(error)) throw error;
      errors.push({ roi: id, name: String(id), code: error.code, message: error.message });
    }
  }
  return requested;
}

/**
 * Calculates the DVHs of several ROIs (default: all) in one pass over the dose planes. ROIs that
 * cannot be calculated (empty, points only, one plane without a thickness, outside the dose
 * grid) are reported in `errors` with a code; they never stop the others.
 * @throws DosekitError for problems with the inputs as a whole (wrong file kinds, frame of
 *   reference mismatch, bad options); an AbortError when `signal` aborts.
 */
export async function calculateDvhs(structure: StructureSetInput, dose: DoseGridInput, options: CalculateDvhsOptions = {}): Promise<DvhCalculationResult> {
  checkInputKind(structure, 'structure', 'StructureSet');
  checkInputKind(dose, 'dose', 'DoseGrid');
  checkCalculationOptions(options, true);
  validateOptions(options);
  const requests = splitRoiRequests(options.rois);
  throwIfAborted(options.signal);
  // Reading files, planning and finishing are long synchronous steps: between them the event loop gets a turn.
  const checkpoint = createCheckpoint(options.signal);
  // One after the other, so that with both wrong the structure set's error is the one reported.
  const structureSet = await resolveStructureSet(structure);
  await checkpoint();
  const grid = await resolveDoseGrid(dose);
  await checkpoint();
  checkFrameOfReference(structureSet, grid, options.force);
  checkDoseUnits(grid);
  checkPlausibleDose(grid);
  const algorithm = options.algorithm ?? DEFAULT_ALGORITHM;
  // Bins wider than the algorithm's (a maximum dose past MAX_HISTOGRAM_BINS of them) are said on every DVH.
  const binningWarning = histogramBinning(algorithm, grid, options).warning;
  const errors: RoiDvhError[] = [];
  const calculable: Roi[] = [];
  for (const roi of requestedRois(structureSet, requests.plain, errors)) {
    const reason = unusable(roi, structureSet.source, options);
    if (reason) errors.push(reason);
    else calculable.push(roi);
  }
  // Derived ROIs (structure algebra): names resolved and margins built once, on the CPU.
  const resolved = await resolveDerivedRois(requests.derived, structureSet, options);
  errors.push(...resolved.errors);
  // The sampling's size is known now: refused before any work when it cannot fit.
  checkPlanSize(algorithm, [...calculable, ...resolved.derived.flatMap((d) => d.shape.leaves.map((leaf) => leaf.roi))], grid, options);

  const run = async (backend: ComputeBackend, warnings: readonly string[]): Promise<DvhCalculationResult> => {
    const provenance = (roi: Roi): DvhProvenance => {
      // How the ROI's contours were read (repeats, open contours, a shared ROI Number) travels with its DVH.
      // Padding passed over in the dose file (grid.info.warnings) is said on every DVH from it.
      const all = [...warnings, ...(grid.info.warnings ?? []), ...roiWarnings(roi, structureSet.source).map((w) => w.message), ...(binningWarning ? [binningWarning] : [])];
      return { algorithm, backend: backend.info, ...(all.length ? { warnings: all } : {}) };
    };
    await checkpoint();
    const { plan, errors: planErrors, expressionOf } = planWithDerived(algorithm, calculable, resolved.derived, grid, options, provenance);
    await checkpoint();
    const totals = await runPlan(plan, grid, backend, { signal: options.signal, onProgress: options.onProgress });
    const dvhs: RoiDvh[] = [];
    const roiErrors = [...errors, ...planErrors];
    for (const work of plan.rois) {
      await checkpoint();
      const outcome = await work.finish(totals, checkpoint);
      const expression = expressionOf.get(work.roi);
      if (outcome instanceof DVH) dvhs.push({ roi: work.roi.number, name: work.roi.name, dvh: outcome, ...(expression !== undefined ? { expression } : {}) });
      else roiErrors.push(roiError(work.roi, outcome.code, outcome.message));
    }
    return { algorithm, backend: backend.info, dvhs, errors: roiErrors };
  };
  const { backend, owned } = await resolveBackend(options.backend, options.device);
  try {
    return await run(backend, []);
  } catch (error) {
    // A GPU lost (or failing) mid-calculation: 'auto' finishes on the CPU and says so; an explicit
    // 'webgpu' or a caller's backend reports the error.
    const auto = options.backend === undefined || options.backend === 'auto';
    if (!auto || !isDosekitError(error) || (error.code !== 'E_GPU_LOST' && error.code !== 'E_GPU_UNAVAILABLE') || backend.info.kind !== 'webgpu') throw error;
    return run(await createBackend({ backend: 'cpu' }), [`the WebGPU device failed (${error.message}); the DVHs were computed on the CPU`]);
  } finally {
    if (owned) backend.dispose();
  }
}

/**
 * The DVH of one ROI (by number or name, or a derived ROI as {name, expression}). Same options as `calculateDvhs`.
 * @throws DosekitError with the ROI's code (E_ROI_NOT_FOUND, E_EMPTY_ROI, E_POINT_ROI,
 *   E_UNKNOWN_THICKNESS, E_NO_DOSE_OVERLAP) when it has no DVH.
 */
export async function getDvh(structure: StructureSetInput, dose: DoseGridInput, roi: number | string | RoiExpressionRequest, options: DvhCalculationOptions = {}): Promise<DVH> {
  checkInputKind(structure, 'structure', 'StructureSet');
  checkInputKind(dose, 'dose', 'DoseGrid');
  checkCalculationOptions(options, false);
  requireRoiRequest(roi, 'roi');
  const result = await calculateDvhs(structure, dose, { ...options, rois: [roi] });
  const error = result.errors[0];
  if (error) throw new DosekitError(error.code, error.message, { roi: error.roi });
  return result.dvhs[0].dvh;
}
