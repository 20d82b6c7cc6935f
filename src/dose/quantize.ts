// SPDX-License-Identifier: BSD-3-Clause
import { formatDecimalString } from '../dicom/write.js';

/** The largest stored value of a 32-bit unsigned RT Dose. */
export const UINT32_MAX = 0xffffffff;

/** The smallest DoseGridScaling used: a normal float64 that a DS writes exactly. */
const SMALLEST_SCALING = 1e-307;

/** Stored integers and the DoseGridScaling that together hold a dose array. */
export interface QuantizedDose {
  readonly pixels: Uint32Array;
  readonly doseGridScaling: number;
}

/**
 * The DoseGridScaling that puts `maxDose` at (or just below) the top of the unsigned 32-bit
 * range and that a 16-character DS writes exactly, so the file holds the same numbers as memory.
 */
export function fullRangeScaling(maxDose: number): number {
  if (!(maxDose > 0)) return 1;
  // Below about 4e-298 the full-range scaling would be no normal float64 (or 0): such a dose is
  // stored with the smallest scaling below, in fewer than 2^32 steps, each still 1e-307 or finer.
  let scaling = Math.max(SMALLEST_SCALING, Number(formatDecimalString(maxDose / UINT32_MAX)));
  // The decimal text may round the scaling down, which would push the maximum past the range: step
  // up to the next value the text can hold. Sixteen characters hold fewer significant digits as
  // the exponent grows (10 at 1e-100), so a step that the text rounds away is doubled until it
  // shows; each pass either raises the scaling or doubles the step, so the loop ends.
  let step = 1e-12;
  while (Math.round(maxDose / scaling) > UINT32_MAX) {
    const raised = Number(formatDecimalString(scaling * (1 + step)));
    if (raised > scaling) scaling = raised;
    else step *= 2;
  }
  return scaling;
}

/**
 * Stores a dose array as unsigned 32-bit integers with full-range scaling, rounding to the
 * nearest step (so every voxel is within half a step, 2^-33 of the maximum). Negative values,
 * which an RT Dose cannot hold, become 0 and are counted.
 */
export function quantizeDose(dose: Float64Array | Float32Array): QuantizedDose & { readonly negativeVoxels: number } {
  let max = 0;
  for (let i = 0; i < dose.length; i += 1) if (dose[i] > max) max = dose[i];
  const doseGridScaling = fullRangeScaling(max);
  const inverse = 1 / doseGridScaling;
  const pixels = new Uint32Array(dose.length);
  let negativeVoxels = 0;
  for (let i = 0; i < dose.length; i += 1) {
    const v = dose[i];
    // Uint32Array stores truncate, so adding a half rounds. A store past the top of the range would
    // wrap to 0; fullRangeScaling keeps the maximum below it, and the clamp makes sure of it.
    if (v > 0) {
      const q = v * inverse + 0.5;
      pixels[i] = q < UINT32_MAX + 1 ? q : UINT32_MAX;
    }
    else if (v < 0) negativeVoxels += 1;
  }
  return { pixels, doseGridScaling, negativeVoxels };
}
