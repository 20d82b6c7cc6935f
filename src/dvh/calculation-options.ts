// SPDX-License-Identifier: BSD-3-Clause
import type { BackendChoice } from '../backend/create-backend.js';
import type { ComputeBackend } from '../backend/compute-backend.js';
import { DosekitError } from '../errors.js';
import { memoryLimitBytes } from '../limits.js';
import { MAX_END_CAP_MM, MAX_INTERPOLATION_FACTOR, MAX_INTERPOLATION_SEGMENTS, MAX_SUPERSAMPLING_FACTOR, MAX_THICKNESS_MM } from './option-limits.js';

/** The DVH algorithms. */
export type DvhAlgorithm = 'dicompyler' | 'precise';

/** Options of `getDvh` and `calculateDvhs`. Units are in the names. */
export interface DvhCalculationOptions {
  /**
   * 'precise' (default): supersampled right-prism model, trilinear dose, 0.1 cGy bins, exact
   * prism volume, surface extremes. 'dicompyler': dicompyler-core 0.5.7's get_dvh, exactly.
   */
  readonly algorithm?: DvhAlgorithm;
  /**
   * precise only: how far the first and last contour's slabs reach beyond their planes: 'half'
   * (default, half the contour spacing), 'none', or a distance from 0 to 50 mm.
   * The dicompyler algorithm accepts only 'half' (its own model) and refuses the others (E_USAGE).
   */
  readonly endCaps?: 'half' | 'none' | number;
  /**
   * precise: samples per dose voxel and axis in-plane, and per contour slab through it (odd
   * numbers keep the dose grid's own points on the sample lattice). Default: chosen per ROI for
   * about 50 000 samples, at most 15 per axis. 1 to 63; precise only (E_USAGE with dicompyler).
   */
  readonly supersampling?: number | { readonly inPlane: number; readonly throughSlab: number };
  /** dicompyler only (E_USAGE with precise): highest dose binned, in whole cGy; doses above it are dropped from histogram and volume (dicompyler-core's `limit`). */
  readonly limitCGy?: number;
  /**
   * When contours lie beyond the dose grid's first or last frame: true (default) counts their
   * volume and spreads it over the in-grid dose distribution (dicompyler-core's rule); false
   * leaves those planes out. The DVH's notes say which happened.
   */
  readonly calculateFullVolume?: boolean;
  /**
   * Accepted for dicompyler-core compatibility. dosekit always restricts the work to each
   * structure's bounding box, so this changes speed there, never results here. dicompyler
   * only: `true` with precise is refused (E_USAGE).
   */
  readonly useStructureExtents?: boolean;
  /**
   * dicompyler only (E_USAGE with precise): in-plane sampling resolution in mm (a number, or
   * [row, column]); each dose voxel is split into round(spacing / resolution) samples per axis,
   * at most 64 (E_INVALID_ARGUMENT beyond; E_TOO_LARGE when the samples exceed the memory ceiling).
   */
  readonly interpolationResolutionMm?: number | readonly [number, number];
  /** dicompyler only (E_USAGE with precise, except 0): sub-planes per structure slab beyond the first, 0 to 100; each plane's slab is split into n + 1 equal sub-slabs. */
  readonly interpolationSegmentsBetweenPlanes?: number;
  /** Slab thickness of every contour plane in mm, up to 50; default (or 0) the smallest gap between the ROI's planes. */
  readonly thicknessMm?: number;
  /** Compute backend: 'auto' (default), 'webgpu', 'cpu', or a backend from `createBackend`. */
  readonly backend?: BackendChoice | ComputeBackend;
  /**
   * A GPUDevice of the caller's to compute on (used, never destroyed), e.g. the one a page renders
   * with. With 'auto' a loss of it mid-calculation finishes on the CPU with a warning; with
   * 'webgpu' it fails with E_GPU_LOST.
   */
  readonly device?: GPUDevice;
  /** Proceed although the structure set and the dose have different frames of reference. */
  readonly force?: boolean;
  /**
   * The memory ceiling in bytes for the work whose size is known up front (sample lattices,
   * margin grids): beyond it E_TOO_LARGE. Default: DOSEKIT_MAX_MEMORY, else 4 GiB (limits.ts).
   */
  readonly memoryLimitBytes?: number;
  /** Cancels the calculation: the promise rejects with an AbortError. */
  readonly signal?: AbortSignal;
  /** Called with the fraction done (0..1) as dose planes are processed. */
  readonly onProgress?: (fraction: number) => void;
}

function invalid(message: string, option: string): DosekitError {
  return new DosekitError('E_INVALID_ARGUMENT', message, { option });
}

/** The options only one algorithm honours, with the values that ask for nothing beyond its own behaviour. */
const ALGORITHM_OPTIONS: readonly { readonly option: keyof DvhCalculationOptions; readonly algorithm: DvhAlgorithm; readonly neutral?: unknown }[] = [
  { option: 'limitCGy', algorithm: 'dicompyler' },
  { option: 'interpolationResolutionMm', algorithm: 'dicompyler' },
  { option: 'interpolationSegmentsBetweenPlanes', algorithm: 'dicompyler', neutral: 0 },
  // dosekit always works within each structure's extents; only dicompyler-core had the switch.
  { option: 'useStructureExtents', algorithm: 'dicompyler', neutral: false },
  // The dicompyler algorithm's slab is +- half the plane spacing on every plane: 'half' end caps.
  { option: 'endCaps', algorithm: 'precise', neutral: 'half' },
  { option: 'supersampling', algorithm: 'precise' },
];

/**
 * Refuses an option the chosen algorithm would not honour (its result would silently be the same
 * as without it).
 * @throws DosekitError E_USAGE naming the option and the algorithm that takes it.
 */
function checkAlgorithmOptions(options: DvhCalculationOptions): void {
  const algorithm = options.algorithm ?? 'precise';
  for (const { option, algorithm: owner, neutral } of ALGORITHM_OPTIONS) {
    const value = options[option];
    if (value === undefined || owner === algorithm || value === neutral) continue;
    throw new DosekitError(
      'E_USAGE',
      `${option} (${JSON.stringify(value)}) is an option of the ${owner} algorithm; the ${algorithm} algorithm would ignore it. Pass algorithm: '${owner}' (--algorithm ${owner}) or leave the option out.`,
      { option, algorithm, optionAlgorithm: owner },
    );
  }
}

/**
 * Checks option values up front so a bad option fails before any work: types, ranges (see
 * option-limits.ts for each bound and why) and whether the chosen algorithm takes them.
 * @throws DosekitError E_INVALID_ARGUMENT (a value out of range), E_USAGE (an option of the other algorithm).
 */
export function validateOptions(options: DvhCalculationOptions): void {
  const { limitCGy, thicknessMm, interpolationResolutionMm, interpolationSegmentsBetweenPlanes, algorithm } = options;
  if (algorithm !== undefined && algorithm !== 'dicompyler' && algorithm !== 'precise') {
    throw invalid(`algorithm must be 'dicompyler' or 'precise' (got ${JSON.stringify(algorithm)}).`, 'algorithm');
  }
  const { endCaps, supersampling } = options;
  if (endCaps !== undefined && endCaps !== 'half' && endCaps !== 'none' && !(typeof endCaps === 'number' && endCaps >= 0 && endCaps <= MAX_END_CAP_MM)) {
    throw invalid(`endCaps must be 'half', 'none' or a number of mm from 0 to ${MAX_END_CAP_MM} (got ${JSON.stringify(endCaps)}).`, 'endCaps');
  }
  if (supersampling !== undefined) {
    const factors = typeof supersampling === 'number' ? [supersampling] : typeof supersampling === 'object' && supersampling !== null ? [supersampling.inPlane, supersampling.throughSlab] : [Number.NaN];
    if (factors.some((f) => !(Number.isInteger(f) && f >= 1 && f <= MAX_SUPERSAMPLING_FACTOR))) {
      throw invalid(`supersampling must be a whole number from 1 to ${MAX_SUPERSAMPLING_FACTOR} (or {inPlane, throughSlab}) (got ${JSON.stringify(supersampling)}).`, 'supersampling');
    }
  }
  if (limitCGy !== undefined && !(Number.isSafeInteger(limitCGy) && limitCGy > 0)) {
    throw invalid(`limitCGy must be a positive whole number of cGy (got ${limitCGy}); dicompyler-core silently ignored non-integer limits, dosekit refuses them.`, 'limitCGy');
  }
  if (thicknessMm !== undefined && !(typeof thicknessMm === 'number' && thicknessMm >= 0 && thicknessMm <= MAX_THICKNESS_MM)) {
    throw invalid(`thicknessMm must be a number of mm from 0 (the ROI's own plane spacing) to ${MAX_THICKNESS_MM} (got ${thicknessMm}).`, 'thicknessMm');
  }
  if (interpolationResolutionMm !== undefined) {
    const values = typeof interpolationResolutionMm === 'number' ? [interpolationResolutionMm] : Array.isArray(interpolationResolutionMm) ? [...interpolationResolutionMm] : [];
    if (values.length < 1 || values.length > 2 || values.some((v) => !(typeof v === 'number' && v > 0 && Number.isFinite(v)))) {
      throw invalid(`interpolationResolutionMm must be a positive number of mm or [row, column] (got ${JSON.stringify(interpolationResolutionMm)}); it may be as fine as 1/${MAX_INTERPOLATION_FACTOR} of the dose grid's pixel spacing.`, 'interpolationResolutionMm');
    }
  }
  if (interpolationSegmentsBetweenPlanes !== undefined && !(Number.isInteger(interpolationSegmentsBetweenPlanes) && interpolationSegmentsBetweenPlanes >= 0 && interpolationSegmentsBetweenPlanes <= MAX_INTERPOLATION_SEGMENTS)) {
    throw invalid(`interpolationSegmentsBetweenPlanes must be a whole number from 0 to ${MAX_INTERPOLATION_SEGMENTS} (got ${interpolationSegmentsBetweenPlanes}).`, 'interpolationSegmentsBetweenPlanes');
  }
  if (options.memoryLimitBytes !== undefined) memoryLimitBytes(options.memoryLimitBytes);
  checkAlgorithmOptions(options);
}
