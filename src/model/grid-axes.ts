// SPDX-License-Identifier: BSD-3-Clause
/**
 * The axes of an axis-aligned grid in patient space, and where the voxel centres of one grid
 * fall in another's continuous index space (the geometry of dose resampling).
 */
import type { GridGeometry } from './grid-geometry.js';

/**
 * Continuous indices within this many voxels of a whole number are taken as that number, so
 * grids that coincide up to decimal-text rounding resample exactly and keep their edge planes.
 */
export const INDEX_SNAP_VOXELS = 1e-9;

/** One axis of a grid in patient space: the patient axis (0 x, 1 y, 2 z) it runs along and its positions. */
export interface GridAxis {
  readonly patientAxis: 0 | 1 | 2;
  /** Patient coordinate (mm) of each index along the axis. */
  readonly positionMm: (index: number) => number;
  readonly length: number;
  /** Element stride of the axis in the frame-major data. */
  readonly stride: number;
  /** Continuous index of a patient coordinate along this axis. */
  readonly indexOf: (mm: number) => number;
}

function dominantAxis(cosines: readonly number[]): 0 | 1 {
  return Math.abs(cosines[0]) >= Math.abs(cosines[1]) ? 0 : 1;
}

function inPlaneAxis(g: GridGeometry, which: 'column' | 'row'): GridAxis {
  const cosines = which === 'column' ? g.rowCosines : g.columnCosines;
  const spacing = which === 'column' ? g.pixelSpacingMm[1] : g.pixelSpacingMm[0];
  const patientAxis = dominantAxis(cosines);
  const origin = g.originMm[patientAxis];
  const stepMm = Math.sign(cosines[patientAxis]) * spacing;
  return {
    patientAxis,
    positionMm: (i) => origin + stepMm * i,
    length: which === 'column' ? g.columns : g.rows,
    stride: which === 'column' ? 1 : g.columns,
    indexOf: (mm) => (mm - origin) / stepMm,
  };
}

/** Continuous frame index of a patient z on monotonic (increasing or decreasing) frame positions. */
/** A one-frame grid is met only by planes this close to it, mm. */
const ONE_FRAME_TOLERANCE_MM = 1e-6;

function frameIndexOf(z: Float64Array, mm: number): number {
  const n = z.length;
  if (n === 1) return Math.abs(mm - z[0]) <= ONE_FRAME_TOLERANCE_MM ? 0 : mm > z[0] ? Infinity : -Infinity;
  const rising = z[n - 1] > z[0];
  // Outside the first or last gap: extrapolate with the end gap, so the caller sees < 0 or > n - 1.
  let lo = 0;
  let hi = n - 1;
  const before = rising ? mm <= z[0] : mm >= z[0];
  const after = rising ? mm >= z[n - 1] : mm <= z[n - 1];
  if (before) hi = 1;
  else if (after) lo = n - 2;
  else {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (rising ? z[mid] <= mm : z[mid] >= mm) lo = mid;
      else hi = mid;
    }
  }
  return lo + (mm - z[lo]) / (z[lo + 1] - z[lo]);
}

function frameAxis(g: GridGeometry): GridAxis {
  const z = g.frameZMm;
  return {
    patientAxis: 2,
    positionMm: (i) => z[i],
    length: g.frames,
    stride: g.rows * g.columns,
    indexOf: (mm) => frameIndexOf(z, mm),
  };
}

/** The three axes of a grid in data order: column, row, frame. */
export function gridAxes(g: GridGeometry): readonly [GridAxis, GridAxis, GridAxis] {
  return [inPlaneAxis(g, 'column'), inPlaneAxis(g, 'row'), frameAxis(g)];
}

function snapped(index: number): number {
  const nearest = Math.round(index);
  return Math.abs(index - nearest) <= INDEX_SNAP_VOXELS ? nearest : index;
}

/**
 * The continuous source index of every target index along one target axis (float64), before
 * any order or mode is applied. Non-finite for a one-frame source the target does not touch.
 */
export function continuousIndices(target: GridAxis, source: GridAxis): Float64Array {
  const out = new Float64Array(target.length);
  for (let i = 0; i < target.length; i += 1) out[i] = snapped(source.indexOf(target.positionMm(i)));
  return out;
}


/** Continuous indices, per axis, of one grid's voxel centres in another grid. */
export interface GridIndices {
  /** Indices into the other grid along the axis that runs with this grid's columns, rows and frames. */
  readonly column: Float64Array;
  readonly row: Float64Array;
  readonly frame: Float64Array;
  /** Which axis of the other grid (0 column, 1 row, 2 frame) each of these runs along. */
  readonly along: readonly [number, number, number];
}

/**
 * Where the voxel centres of `points` fall in the continuous index space of `grid`: for each
 * axis of `points`, the index along the axis of `grid` on the same patient axis. The full mesh
 * of points is the Cartesian product of the three arrays.
 */
export function gridIndicesOf(grid: GridGeometry, points: GridGeometry): GridIndices {
  const gridAxesList = gridAxes(grid);
  const along: number[] = [];
  const [column, row, frame] = gridAxes(points).map((axis) => {
    const index = gridAxesList.findIndex((g) => g.patientAxis === axis.patientAxis);
    along.push(index);
    return continuousIndices(axis, gridAxesList[index]);
  });
  return { column, row, frame, along: along as [number, number, number] };
}

/** True when two grids have the same size and the same voxel centres, exactly. */
export function sameGeometry(a: GridGeometry, b: GridGeometry): boolean {
  const equal = (x: ArrayLike<number>, y: ArrayLike<number>): boolean => x.length === y.length && Array.from(x).every((v, i) => v === y[i]);
  return (
    a.rows === b.rows &&
    a.columns === b.columns &&
    a.frames === b.frames &&
    equal(a.originMm, b.originMm) &&
    equal(a.pixelSpacingMm, b.pixelSpacingMm) &&
    equal(a.rowCosines, b.rowCosines) &&
    equal(a.columnCosines, b.columnCosines) &&
    equal(a.frameZMm, b.frameZMm)
  );
}
