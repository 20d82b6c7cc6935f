// SPDX-License-Identifier: BSD-3-Clause
/**
 * Dose summation: several grids, each times a weight, on the first grid's voxels. Coincident
 * grids add voxel by voxel; the others are resampled (trilinear by default) on the backend.
 * Sums are formed in float64 and stored once as full-range unsigned 32-bit integers.
 */
import { createCheckpoint, throwIfAborted } from '../backend/abort.js';
import type { ComputeBackend } from '../backend/compute-backend.js';
import { createBackend } from '../backend/create-backend.js';
import { newDicomUid } from '../dicom/write.js';
import { DosekitError, isDosekitError } from '../errors.js';
import { type DoseDerivation, type DoseDerivationInput, DoseGrid } from '../model/dose-grid.js';
import { checkMemory } from '../limits.js';
import { VERSION } from '../version.js';
import { checkSummable } from './compatibility.js';
import type { ResampleOptions, SumDoseOptions } from './options.js';
import { quantizeDose } from './quantize.js';
import { type ResampleMode, type ResampleOrder, resampleTables } from './resample-tables.js';
import { checkResampleOptions, checkSumOptions } from './check-options.js';

/** DoseComment is an LO: at most 64 characters. */
const DOSE_COMMENT_MAX = 64;

function checkGrid(grid: unknown, what: string): asserts grid is DoseGrid {
  if (!(grid instanceof DoseGrid)) throw new DosekitError('E_INVALID_ARGUMENT', `${what} must be a DoseGrid (read one with DoseGrid.fromFile or DoseGrid.fromBytes).`);
}

interface Resolved {
  readonly order: ResampleOrder;
  readonly mode: ResampleMode;
  readonly cvalGy: number;
}

function resolveResampleOptions(options: ResampleOptions): Resolved {
  const order = options.order ?? 1;
  const mode = options.mode ?? 'constant';
  const cvalGy = options.cval ?? 0;
  if (order !== 0 && order !== 1) throw new DosekitError('E_INVALID_ARGUMENT', `order ${String(order)} is not supported; use 1 (trilinear) or 0 (nearest neighbour).`, { order });
  if (mode !== 'constant' && mode !== 'nearest') throw new DosekitError('E_INVALID_ARGUMENT', `mode ${JSON.stringify(mode)} is not supported; use 'constant' or 'nearest'.`, { mode });
  return { order, mode, cvalGy };
}

/** A backend for the resampling, the one it falls back to, and whether we made (and so dispose) it. */
async function withBackend<T>(options: ResampleOptions, work: (backend: ComputeBackend) => Promise<T>, warnings: string[]): Promise<T> {
  const choice = options.backend;
  if (choice && typeof choice === 'object') return work(choice);
  const backend = options.device && choice !== 'cpu' ? await createBackend({ backend: 'webgpu', device: options.device }) : await createBackend({ backend: choice ?? 'auto' });
  try {
    return await work(backend);
  } catch (error) {
    // A GPU lost mid-sum: 'auto' finishes on the CPU and says so; an explicit 'webgpu' reports it.
    const auto = choice === undefined || choice === 'auto';
    if (!auto || backend.info.kind !== 'webgpu' || !isDosekitError(error) || (error.code !== 'E_GPU_LOST' && error.code !== 'E_GPU_UNAVAILABLE')) throw error;
    warnings.push(`the WebGPU device failed (${error.message}); the dose was resampled on the CPU`);
    return work(await createBackend({ backend: 'cpu' }));
  } finally {
    backend.dispose();
  }
}

/** Adds `weight x source` resampled onto `target`'s voxels into `into` (Gy). */
async function accumulateResampled(backend: ComputeBackend, source: DoseGrid, target: DoseGrid, weight: number, resolved: Resolved, into: Float64Array, signal?: AbortSignal): Promise<void> {
  const tables = resampleTables(target.geometry, source.geometry, resolved.order, resolved.mode);
  const g = target.geometry;
  await backend.resample(
    { columns: g.columns, rows: g.rows, frames: g.frames, ...tables, source: source.pixels, gain: weight * source.gyPerStoredUnit, outsideValue: weight * resolved.cvalGy },
    into,
    signal,
  );
}

/** Voxels added between checkpoints (a few milliseconds of work). */
const CHUNK_VOXELS = 1 << 20;

async function accumulateDirect(source: DoseGrid, weight: number, into: Float64Array, checkpoint: () => Promise<void>): Promise<void> {
  const gain = weight * source.gyPerStoredUnit;
  const pixels = source.pixels;
  for (let start = 0; start < into.length; start += CHUNK_VOXELS) {
    await checkpoint();
    const end = Math.min(into.length, start + CHUNK_VOXELS);
    for (let i = start; i < end; i += 1) into[i] += gain * pixels[i];
  }
}

/**
 * Voxel-by-voxel sum of coincident grids in one pass (two grids, the common case, unrolled), in
 * chunks between checkpoints so that a large sum yields and stops on an abort.
 */
async function sumCoincident(grids: readonly DoseGrid[], weights: readonly number[], into: Float64Array, checkpoint: () => Promise<void>): Promise<void> {
  if (grids.length !== 2) {
    for (let g = 0; g < grids.length; g += 1) await accumulateDirect(grids[g], weights[g], into, checkpoint);
    return;
  }
  const [a, b] = [grids[0].pixels, grids[1].pixels];
  const [ga, gb] = [weights[0] * grids[0].gyPerStoredUnit, weights[1] * grids[1].gyPerStoredUnit];
  for (let start = 0; start < into.length; start += CHUNK_VOXELS) {
    await checkpoint();
    const end = Math.min(into.length, start + CHUNK_VOXELS);
    for (let i = start; i < end; i += 1) into[i] = ga * a[i] + gb * b[i];
  }
}

function checkWeights(weights: readonly number[] | undefined, count: number): readonly number[] {
  const resolved = weights ?? new Array<number>(count).fill(1);
  if (resolved.length !== count) throw new DosekitError('E_INVALID_ARGUMENT', `${resolved.length} weights for ${count} doses; give one weight per dose.`, { weights: resolved });
  return resolved;
}

function derivationInput(grid: DoseGrid, weight: number, resampled: boolean): DoseDerivationInput {
  return { source: grid.info.source, sopInstanceUid: grid.info.sopInstanceUid, referencedPlanUid: grid.info.referencedPlanUid, weight, resampled };
}

/**
 * The summed grid's DoseComment (an LO: at most 64 characters, cut with "..." beyond). Internal
 * to src/dose.
 */
export function sumComment(doseCount: number, how: string, version: string = VERSION): string {
  const text = `dosekit ${version}: sum of ${doseCount} doses (${how})`;
  return text.length <= DOSE_COMMENT_MAX ? text : `${text.slice(0, DOSE_COMMENT_MAX - 3)}...`;
}

/** A weighted sum in Gy on the first grid's voxels (float64), before it is stored. Internal to src/dose. */
export interface DoseSumGy {
  readonly dose: Float64Array;
  readonly weights: readonly number[];
  /** Per grid: true when it was added voxel by voxel. */
  readonly coincident: readonly boolean[];
  readonly resolved: { readonly order: ResampleOrder; readonly mode: ResampleMode; readonly cvalGy: number };
  readonly backendInfo: DoseDerivation['backend'];
  readonly warnings: string[];
}

/** The float64 weighted sum of {@link sumDoseGrids}, with what it did. */
export async function sumDoseGy(grids: readonly DoseGrid[], options: SumDoseOptions = {}): Promise<DoseSumGy> {
  if (!Array.isArray(grids) || grids.length === 0) throw new DosekitError('E_INVALID_ARGUMENT', 'sumDoseGrids needs at least one DoseGrid.');
  grids.forEach((g, i) => checkGrid(g, `dose ${i + 1}`));
  checkSumOptions(options);
  const weights = checkWeights(options.weights, grids.length);
  const resolved = resolveResampleOptions(options);
  throwIfAborted(options.signal);
  const [first] = grids;
  const warnings = grids.slice(1).flatMap((g) => checkSummable(first, g, Boolean(options.force)));
  const coincident = grids.map((g) => first.isCoincident(g));
  // The float64 sum, the stored result and, on the GPU, a float32 copy of a slab set.
  checkMemory(first.voxelCount * 16, `summing onto the ${first.geometry.columns} x ${first.geometry.rows} x ${first.geometry.frames} grid of ${first.info.source}`, options.memoryLimitBytes);
  const dose = new Float64Array(first.voxelCount);
  const checkpoint = createCheckpoint(options.signal);
  if (coincident.every(Boolean)) {
    await sumCoincident(grids, weights, dose, checkpoint);
    return { dose, weights, coincident, resolved, backendInfo: { kind: 'cpu' }, warnings };
  }
  const backendInfo = await withBackend(
    options,
    async (backend) => {
      // A retry after a GPU failure starts again from zero.
      dose.fill(0);
      for (let i = 0; i < grids.length; i += 1) {
        throwIfAborted(options.signal);
        if (coincident[i]) await accumulateDirect(grids[i], weights[i], dose, checkpoint);
        else await accumulateResampled(backend, grids[i], first, weights[i], resolved, dose, options.signal);
      }
      return backend.info;
    },
    warnings,
  );
  return { dose, weights, coincident, resolved, backendInfo, warnings };
}

/**
 * The weighted sum of dose grids on the first grid's voxels, as a new grid (Gy; DoseSummationType
 * MULTI_PLAN for plan doses; new SOP Instance and Series UIDs; the first grid's patient, study
 * and frame of reference). Grids whose voxels coincide with the first add voxel by voxel; the
 * others are resampled as scipy's map_coordinates does (order 1 trilinear by default, order 0
 * nearest; mode 'constant' gives `cval` outside a grid, 'nearest' the edge voxel), each
 * honouring its own orientation and spacing.
 * @throws DosekitError E_INCOMPATIBLE_DOSE when DoseUnits, DoseType, DoseSummationType or the
 *   frame of reference differ from the first grid's (unless `force`); E_INVALID_ARGUMENT for
 *   bad weights or options; an AbortError when `signal` aborts.
 */
export async function sumDoseGrids(grids: readonly DoseGrid[], options: SumDoseOptions = {}): Promise<DoseGrid> {
  const { dose, weights, coincident, resolved, backendInfo, warnings } = await sumDoseGy(grids, options);
  const [first] = grids;
  const { pixels, doseGridScaling, negativeVoxels } = quantizeDose(dose);
  if (negativeVoxels > 0) warnings.push(`${negativeVoxels} voxels summed to a negative dose (negative stored values in an input) and were stored as 0`);
  const resampled = !coincident.every(Boolean);
  const how = resampled ? `interpolated, order ${resolved.order}` : 'direct';
  // A sum of plans is a MULTI_PLAN dose; other summation types (FRACTION, BEAM ...) keep theirs.
  const ofPlans = first.info.summationType === undefined || first.info.summationType === 'PLAN';
  return new DoseGrid(first.geometry, pixels, doseGridScaling, {
    sopInstanceUid: newDicomUid(),
    seriesInstanceUid: newDicomUid(),
    studyInstanceUid: first.info.studyInstanceUid,
    frameOfReferenceUid: first.info.frameOfReferenceUid,
    // The sum is in Gy whichever absolute unit its inputs used.
    doseUnits: first.info.doseUnits === 'CGY' ? 'GY' : first.info.doseUnits,
    doseType: first.info.doseType,
    summationType: grids.length > 1 && ofPlans ? 'MULTI_PLAN' : first.info.summationType,
    comment: sumComment(grids.length, how),
    referencedPlanUid: first.info.referencedPlanUid,
    referencedStructureSetUid: first.info.referencedStructureSetUid,
    source: `sum of ${grids.map((g) => g.info.source).join(' + ')}`,
    sourceAttributes: first.info.sourceAttributes,
    derivation: {
      operation: 'sum',
      inputs: grids.map((g, i) => derivationInput(g, weights[i], !coincident[i])),
      order: resolved.order,
      mode: resolved.mode,
      backend: backendInfo,
      warnings,
    },
  });
}

/**
 * `source`'s dose resampled onto `target`'s voxels, Gy, frame-major (Float32Array), as
 * map_coordinates with the given order, mode and cval (dicompyler's `interp_entire_grid`).
 */
export async function resampleDoseGy(source: DoseGrid, target: DoseGrid, options: ResampleOptions = {}): Promise<Float32Array> {
  checkGrid(source, 'the source');
  checkGrid(target, 'the target');
  checkResampleOptions(options);
  const resolved = resolveResampleOptions(options);
  const dose = new Float64Array(target.voxelCount);
  if (target.isCoincident(source)) await accumulateDirect(source, 1, dose, createCheckpoint(options.signal));
  else await withBackend(options, (backend) => accumulateResampled(backend, source, target, 1, resolved, dose, options.signal), []);
  return Float32Array.from(dose);
}

/**
 * The signed difference `a - b` on `a`'s voxels, Gy, frame-major (Float32Array): `b` is
 * resampled as in {@link sumDoseGrids}. Negative values are kept (an RT Dose could not hold them).
 * @throws DosekitError E_INCOMPATIBLE_DOSE as {@link sumDoseGrids}.
 */
export async function doseDifferenceGy(a: DoseGrid, b: DoseGrid, options: SumDoseOptions = {}): Promise<Float32Array> {
  checkGrid(a, 'the first dose');
  checkGrid(b, 'the second dose');
  checkSumOptions(options);
  checkSummable(a, b, Boolean(options.force));
  const resolved = resolveResampleOptions(options);
  const dose = new Float64Array(a.voxelCount);
  const checkpoint = createCheckpoint(options.signal);
  await accumulateDirect(a, 1, dose, checkpoint);
  if (a.isCoincident(b)) await accumulateDirect(b, -1, dose, checkpoint);
  else await withBackend(options, (backend) => accumulateResampled(backend, b, a, -1, resolved, dose, options.signal), []);
  return Float32Array.from(dose);
}
