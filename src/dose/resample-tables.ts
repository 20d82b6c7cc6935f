// SPDX-License-Identifier: BSD-3-Clause
/**
 * The axis tables of trilinear-resample for two axis-aligned grids: where each voxel centre of
 * the target grid falls in the source grid's continuous index space, per axis, in float64.
 * Honours both grids' orientations (decubitus grids run their columns along patient y,
 * feet-first and prone grids run axes backwards) and non-uniform frame spacing.
 */
import type { ResampleAxisTable } from '../kernels/trilinear-resample.js';
import { type GridAxis, continuousIndices, gridAxes } from '../model/grid-axes.js';
import type { GridGeometry } from '../model/grid-geometry.js';

/** Interpolation order: 0 nearest neighbour (half rounds up), 1 trilinear. */
export type ResampleOrder = 0 | 1;
/** Outside the source: 'constant' gives the constant value, 'nearest' the nearest edge voxel. */
export type ResampleMode = 'constant' | 'nearest';

function axisTable(indices: Float64Array, source: GridAxis, order: ResampleOrder, mode: ResampleMode): ResampleAxisTable {
  const n = source.length;
  const lowerOffset = new Int32Array(indices.length);
  const upperStep = new Int32Array(indices.length);
  const upperWeight = new Float64Array(indices.length);
  for (let i = 0; i < indices.length; i += 1) {
    let c = indices[i];
    if (Number.isNaN(c)) c = Infinity;
    if (mode === 'constant' && !(c >= 0 && c <= n - 1)) {
      lowerOffset[i] = -1;
      continue;
    }
    c = Math.min(n - 1, Math.max(0, c));
    if (order === 0 || Number.isInteger(c)) {
      lowerOffset[i] = Math.min(n - 1, Math.floor(c + 0.5)) * source.stride;
      continue;
    }
    const lower = Math.floor(c);
    lowerOffset[i] = lower * source.stride;
    upperStep[i] = source.stride;
    upperWeight[i] = c - lower;
  }
  return { lowerOffset, upperStep, upperWeight };
}

/** The target's three axis tables (column, row, frame) into the source grid. */
export interface ResampleTables {
  readonly column: ResampleAxisTable;
  readonly row: ResampleAxisTable;
  readonly frame: ResampleAxisTable;
}

/**
 * Builds the axis tables that sample `source` at every voxel centre of `target`.
 * Both grids are axis-aligned (the reader refuses oblique ones), so each target axis runs along
 * the one source axis on the same patient axis.
 */
export function resampleTables(target: GridGeometry, source: GridGeometry, order: ResampleOrder, mode: ResampleMode): ResampleTables {
  const targetAxes = gridAxes(target);
  const sourceAxes = gridAxes(source);
  const [column, row, frame] = targetAxes.map((axis) => {
    const along = sourceAxes.find((s) => s.patientAxis === axis.patientAxis);
    if (!along) throw new Error(`no source axis along patient axis ${axis.patientAxis}`);
    return axisTable(continuousIndices(axis, along), along, order, mode);
  });
  return { column, row, frame };
}
