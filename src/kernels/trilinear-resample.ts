// SPDX-License-Identifier: BSD-3-Clause
/**
 * The trilinear-resample kernel: samples a source grid at the voxel centres of a target grid
 * and accumulates `gain x value` into the target. For axis-aligned grids each target axis runs
 * along exactly one source axis, so the sample positions are separable: one small table per
 * target axis gives, for each index along it, the source element offset of the lower
 * neighbour, the step to the upper neighbour and the upper neighbour's weight. The tables are
 * built once in float64 on the host, so CPU and GPU sample at identical positions.
 */
import { DosekitError } from '../errors.js';

/** How one target axis reads the source, per target index along that axis. */
export interface ResampleAxisTable {
  /** Source element offset of the lower neighbour (index x the stride of the source axis); -1 when outside the source. */
  readonly lowerOffset: Int32Array;
  /** Element offset from the lower to the upper neighbour (0 where only one neighbour is read). */
  readonly upperStep: Int32Array;
  /** Weight of the upper neighbour, in [0, 1] (0 for nearest-neighbour sampling). */
  readonly upperWeight: Float64Array;
}

/** Stored source values: any typed array of numbers, frame-major. */
export type ResampleSource = ArrayLike<number> & { readonly length: number };

/** One resampling of a source onto a target grid, accumulated into the target. */
export interface ResampleRequest {
  /** Target grid size; target index is (frame x rows + row) x columns + column. */
  readonly columns: number;
  readonly rows: number;
  readonly frames: number;
  readonly column: ResampleAxisTable;
  readonly row: ResampleAxisTable;
  readonly frame: ResampleAxisTable;
  /** Source stored values (frame-major). */
  readonly source: ResampleSource;
  /** Factor from an interpolated stored value to the target's units (scaling x unit factor x weight). */
  readonly gain: number;
  /** Added instead where a target voxel lies outside the source (cval x weight), target units. */
  readonly outsideValue: number;
}

function checkAxis(name: string, table: ResampleAxisTable, length: number, sourceLength: number): void {
  const { lowerOffset, upperStep, upperWeight } = table;
  if (lowerOffset.length !== length || upperStep.length !== length || upperWeight.length !== length) {
    throw new DosekitError('E_INVALID_ARGUMENT', `trilinear-resample: the ${name} table has ${lowerOffset.length}/${upperStep.length}/${upperWeight.length} entries for ${length} target indices.`);
  }
  for (let i = 0; i < length; i += 1) {
    const w = upperWeight[i];
    if (lowerOffset[i] < -1 || lowerOffset[i] >= sourceLength || upperStep[i] < 0 || !(w >= 0 && w <= 1)) {
      throw new DosekitError('E_INVALID_ARGUMENT', `trilinear-resample: the ${name} table entry ${i} (offset ${lowerOffset[i]}, step ${upperStep[i]}, weight ${w}) is out of range.`);
    }
  }
}

/**
 * Checks a request's shape: table lengths match the target, offsets lie in the source, and the
 * largest corner offset reachable stays inside it.
 * @throws DosekitError E_INVALID_ARGUMENT naming the table at fault.
 */
export function validateResampleRequest(request: ResampleRequest): void {
  const n = request.source.length;
  checkAxis('column', request.column, request.columns, n);
  checkAxis('row', request.row, request.rows, n);
  checkAxis('frame', request.frame, request.frames, n);
  const reach = (t: ResampleAxisTable): number => {
    let max = 0;
    for (let i = 0; i < t.lowerOffset.length; i += 1) if (t.lowerOffset[i] >= 0) max = Math.max(max, t.lowerOffset[i] + t.upperStep[i]);
    return max;
  };
  const farthest = reach(request.column) + reach(request.row) + reach(request.frame);
  if (farthest >= n && request.columns * request.rows * request.frames > 0 && n > 0) {
    throw new DosekitError('E_INVALID_ARGUMENT', `trilinear-resample: the tables reach source element ${farthest}, past its ${n} elements.`);
  }
  if (!Number.isFinite(request.gain) || !Number.isFinite(request.outsideValue)) {
    throw new DosekitError('E_INVALID_ARGUMENT', `trilinear-resample: gain ${request.gain} and outside value ${request.outsideValue} must be finite.`);
  }
}
