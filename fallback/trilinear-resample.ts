// SPDX-License-Identifier: BSD-3-Clause
import type { ResampleRequest } from '../src/kernels/trilinear-resample.js';

/**
 * The CPU reference of trilinear-resample: for every target voxel, `into[i] += gain x` the
 * trilinear blend of the eight source neighbours its axis tables name (float64 throughout), or
 * `+= outsideValue` when any axis is outside the source.
 */
export function trilinearResample(request: ResampleRequest, into: Float64Array): void {
  const { columns, rows, frames, source, gain, outsideValue } = request;
  const { lowerOffset: cOff, upperStep: cStep, upperWeight: cW } = request.column;
  const { lowerOffset: rOff, upperStep: rStep, upperWeight: rW } = request.row;
  const { lowerOffset: fOff, upperStep: fStep, upperWeight: fW } = request.frame;
  let index = 0;
  for (let f = 0; f < frames; f += 1) {
    const fo = fOff[f];
    if (fo < 0) {
      for (let end = index + rows * columns; index < end; index += 1) into[index] += outsideValue;
      continue;
    }
    const fs = fStep[f];
    const fw = fW[f];
    for (let r = 0; r < rows; r += 1) {
      const ro = rOff[r];
      if (ro < 0) {
        for (let end = index + columns; index < end; index += 1) into[index] += outsideValue;
        continue;
      }
      const base = fo + ro;
      const rs = rStep[r];
      const rw = rW[r];
      for (let c = 0; c < columns; c += 1, index += 1) {
        const co = cOff[c];
        if (co < 0) {
          into[index] += outsideValue;
          continue;
        }
        const p = base + co;
        const cs = cStep[c];
        const cw = cW[c];
        // Blend along the column axis, then the row axis, then the frame axis.
        const v00 = source[p] + cw * (source[p + cs] - source[p]);
        const v01 = source[p + rs] + cw * (source[p + rs + cs] - source[p + rs]);
        const q = p + fs;
        const v10 = source[q] + cw * (source[q + cs] - source[q]);
        const v11 = source[q + rs] + cw * (source[q + rs + cs] - source[q + rs]);
        const v0 = v00 + rw * (v01 - v00);
        const v1 = v10 + rw * (v11 - v10);
        into[index] += gain * (v0 + fw * (v1 - v0));
      }
    }
  }
}
