// SPDX-License-Identifier: BSD-3-Clause
// The size of a DVH calculation, known before it starts: the in-plane sampling factor an option
// asks for, the largest sample window one ROI's mask needs and the number of sample layers. Too
// fine a factor is refused (E_INVALID_ARGUMENT), too large a window or too many layers for the
// memory ceiling too (E_TOO_LARGE), instead of a crash or hours of work.
import { DosekitError } from '../errors.js';
import { checkMemory } from '../limits.js';
import type { DoseGrid } from '../model/dose-grid.js';
import type { Roi } from '../model/structure-set.js';
import { smallestPlaneGapMm } from '../model/structure-volume.js';
import type { DvhAlgorithm, DvhCalculationOptions } from './calculation-options.js';
import { MAX_INTERPOLATION_FACTOR } from './option-limits.js';
import { MAX_SUPERSAMPLING, slabsOf } from './plan-precise.js';

/** Bytes a mask needs per sample of its window (crossing toggles and the inside flags, with the kernels' scratch). */
const BYTES_PER_WINDOW_SAMPLE = 4;
/** Bytes one sample layer costs while planned and run (its record, its group entry, its count). */
const BYTES_PER_LAYER = 256;
/** The most samples one mask window may hold: typed arrays beyond 2^31 elements are not portable. */
const MAX_WINDOW_SAMPLES = 2 ** 31 - 1;

/** The dicompyler algorithm's in-plane factors (along rows, along columns) for interpolationResolutionMm. */
function interpolationFactors(grid: DoseGrid, options: DvhCalculationOptions): { row: number; column: number } {
  const resolution = options.interpolationResolutionMm;
  if (resolution === undefined) return { row: 1, column: 1 };
  const [rowMm, columnMm] = typeof resolution === 'number' ? [resolution, resolution] : resolution;
  const [rowSpacingMm, columnSpacingMm] = grid.geometry.pixelSpacingMm;
  const row = Math.max(1, Math.round(rowSpacingMm / rowMm));
  const column = Math.max(1, Math.round(columnSpacingMm / columnMm));
  if (!(row <= MAX_INTERPOLATION_FACTOR && column <= MAX_INTERPOLATION_FACTOR)) {
    const finest = (spacing: number) => (spacing / MAX_INTERPOLATION_FACTOR).toPrecision(3);
    throw new DosekitError(
      'E_INVALID_ARGUMENT',
      `interpolationResolutionMm ${JSON.stringify(resolution)} (--interp-resolution-mm) would split each ${rowSpacingMm} x ${columnSpacingMm} mm dose voxel of ${grid.info.source} into ${row} x ${column} samples; at most ${MAX_INTERPOLATION_FACTOR} per axis are accepted, so the resolution must be at least ${finest(rowSpacingMm)} mm along rows and ${finest(columnSpacingMm)} mm along columns.`,
      { option: 'interpolationResolutionMm', file: grid.info.source, factor: Math.max(row, column), limit: MAX_INTERPOLATION_FACTOR },
    );
  }
  return { row, column };
}

/** The ROI's extent in patient x and y, mm (0 x 0 without points). */
function extentMm(roi: Roi): { x: number; y: number } {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const plane of roi.planes) {
    for (const contour of plane.contours) {
      const p = contour.pointsMm;
      for (let k = 0; k + 2 < p.length; k += 3) {
        if (p[k] < minX) minX = p[k];
        if (p[k] > maxX) maxX = p[k];
        if (p[k + 1] < minY) minY = p[k + 1];
        if (p[k + 1] > maxY) maxY = p[k + 1];
      }
    }
  }
  return minX <= maxX ? { x: maxX - minX, y: maxY - minY } : { x: 0, y: 0 };
}

/** Sample layers of one ROI: dicompyler, planes x (segments + 1); precise, its slabs' sub-slabs on both shifted lattices. */
function layerCount(algorithm: DvhAlgorithm, roi: Roi, options: DvhCalculationOptions, throughSlab: number): number {
  if (algorithm === 'dicompyler') return roi.planes.length * ((options.interpolationSegmentsBetweenPlanes ?? 0) + 1);
  const spacing = options.thicknessMm ? options.thicknessMm : smallestPlaneGapMm(roi.planes.map((p) => p.zMm));
  if (!(spacing > 0)) return 2 * roi.planes.length;
  return slabsOf(roi, spacing, options.endCaps).reduce((n, s) => n + 2 * Math.max(1, Math.round(((s.zHighMm - s.zLowMm) / spacing) * throughSlab)), 0);
}

/**
 * Refuses a calculation whose sampling would not fit: an interpolationResolutionMm finer than
 * 1/64 of the pixel spacing, or a mask window or layer count beyond the memory ceiling. `rois` are
 * every contour ROI the calculation samples (those requested and the operands of derived ROIs).
 * @throws DosekitError E_INVALID_ARGUMENT (interpolationResolutionMm), E_TOO_LARGE.
 */
export function checkPlanSize(algorithm: DvhAlgorithm, rois: readonly Roi[], grid: DoseGrid, options: DvhCalculationOptions): void {
  const g = grid.geometry;
  let factorAlongRows: number;
  let factorAlongColumns: number;
  let throughSlab = 1;
  if (algorithm === 'dicompyler') {
    const f = interpolationFactors(grid, options);
    factorAlongRows = f.row;
    factorAlongColumns = f.column;
  } else {
    // The automatic supersampling never exceeds MAX_SUPERSAMPLING: an upper bound of the work.
    const fixed = options.supersampling;
    const inPlane = fixed === undefined ? MAX_SUPERSAMPLING : typeof fixed === 'number' ? fixed : fixed.inPlane;
    throughSlab = fixed === undefined ? MAX_SUPERSAMPLING : typeof fixed === 'number' ? fixed : fixed.throughSlab;
    factorAlongRows = inPlane;
    factorAlongColumns = inPlane;
  }
  // Pixel spacing is [between rows, between columns]: a sample step along x (columns) of spacing[1] / factor.
  const stepColumnMm = g.pixelSpacingMm[1] / factorAlongColumns;
  const stepRowMm = g.pixelSpacingMm[0] / factorAlongRows;
  const latticeColumns = g.columns * factorAlongColumns;
  const latticeRows = g.rows * factorAlongRows;
  let largest = 0;
  let largestRoi: Roi | undefined;
  let layers = 0;
  const step = Math.min(stepColumnMm, stepRowMm);
  for (const roi of rois) {
    const { x, y } = extentMm(roi);
    // Either patient axis may run along rows or columns (decubitus): take the finer step for both.
    const window = Math.min(Math.ceil(x / step) + 2, Math.max(latticeColumns, latticeRows)) * Math.min(Math.ceil(y / step) + 2, Math.max(latticeColumns, latticeRows));
    if (window > largest) {
      largest = window;
      largestRoi = roi;
    }
    layers += layerCount(algorithm, roi, options, throughSlab);
  }
  const factors = `${factorAlongRows} x ${factorAlongColumns} samples per dose voxel`;
  const what = largestRoi ? `the DVH calculation (${algorithm}, ${factors}; ROI ${largestRoi.number} "${largestRoi.name}" alone covers ${largest} samples per plane; ${layers} sample layers)` : `the DVH calculation (${algorithm}, ${factors})`;
  const details = { option: algorithm === 'dicompyler' ? 'interpolationResolutionMm' : 'supersampling', samples: largest, layers };
  if (largest > MAX_WINDOW_SAMPLES) {
    throw new DosekitError('E_TOO_LARGE', `${what} exceeds ${MAX_WINDOW_SAMPLES} samples per plane for one ROI; use a coarser interpolationResolutionMm (--interp-resolution-mm) or supersampling.`, details);
  }
  const bytes = largest * BYTES_PER_WINDOW_SAMPLE + 16 * (latticeColumns + latticeRows) + layers * BYTES_PER_LAYER;
  checkMemory(bytes, what, options.memoryLimitBytes, details);
}
