// SPDX-License-Identifier: BSD-3-Clause
import type { DoseBinning } from '../kernels/dose-histogram.js';

/** Marks a voxel whose dose is outside the binned range. */
export const NO_BIN = 0xffffffff;

/**
 * The bin of every voxel of a dose plane, computed in float64 exactly as the CPU kernel does
 * (so the GPU, which has no float64, only looks bins up).
 */
export function binPlane(values: ArrayLike<number>, binning: DoseBinning): Uint32Array {
  const { doseGridScaling, unitsToCGy, binWidthCGy, binCount } = binning;
  const top = binCount * binWidthCGy;
  const out = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i += 1) {
    const cGy = values[i] * doseGridScaling * unitsToCGy;
    if (!(cGy >= 0 && cGy <= top)) {
      out[i] = NO_BIN;
      continue;
    }
    const bin = binWidthCGy === 1 ? Math.floor(cGy) : Math.floor(cGy / binWidthCGy);
    out[i] = bin >= binCount ? binCount - 1 : bin;
  }
  return out;
}
