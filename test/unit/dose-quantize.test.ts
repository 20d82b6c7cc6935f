// SPDX-License-Identifier: BSD-3-Clause
// Storing a summed dose: full-range unsigned 32-bit integers, rounded, with a DoseGridScaling a
// 16-character DS writes exactly. Checked on many random maxima against a direct rounding.
import { describe, expect, it } from 'vitest';
import { formatDecimalString } from '../../src/dicom/write.js';
import { UINT32_MAX, fullRangeScaling, quantizeDose } from '../../src/dose/quantize.js';
import { mulberry32 } from '../helpers/point-in-path.js';

describe('quantizeDose', () => {
  it('puts the maximum at the top of the range for 20 000 random maxima, rounds the others, with an exactly writable scaling', () => {
    const random = mulberry32(7);
    for (let k = 0; k < 20_000; k += 1) {
      const max = 10 ** (random() * 8 - 3) * (1 + random());
      const { pixels, doseGridScaling } = quantizeDose(Float64Array.of(max, max / 3, 0));
      expect(Number(formatDecimalString(doseGridScaling))).toBe(doseGridScaling);
      expect(pixels[0]).toBeGreaterThanOrEqual(UINT32_MAX - 1);
      expect(Math.abs(pixels[0] * doseGridScaling - max)).toBeLessThanOrEqual(doseGridScaling);
      expect(pixels[1]).toBe(Math.round(max / 3 / doseGridScaling));
      expect(pixels[2]).toBe(0);
    }
  });

  it('counts negative values and stores them as 0; an all-zero dose gets scaling 1', () => {
    const { pixels, negativeVoxels } = quantizeDose(Float64Array.of(2, -1, 1));
    expect(Array.from(pixels.slice(1))).toEqual([0, Math.round(1 / fullRangeScaling(2))]);
    expect(negativeVoxels).toBe(1);
    expect(quantizeDose(new Float64Array(4)).doseGridScaling).toBe(1);
  });
});
