// SPDX-License-Identifier: BSD-3-Clause
import { describe, expect, it } from 'vitest';
import { DVH } from '../../src/dvh/dvh.js';

describe('DVH doseRange (exact extremes finer than the bins)', () => {
  const dvh = new DVH({ counts: [10, 10, 4], bins: [0, 1, 2, 3], doseRange: [0.35, 2.62], rxDose: 2 });

  it('min and max report the range in interpolate mode, the bin edges in dicompyler mode', () => {
    expect([dvh.min, dvh.max]).toEqual([0.35, 2.62]);
    const compat = dvh.with({ lookup: 'dicompyler' });
    // Cumulative [10, 10, 4] is differential [0, 6, 4]: bins 1 and 2 are occupied; dicompyler reports upper edges.
    expect([compat.min, compat.max]).toEqual([2, 3]);
  });

  it('follows dose conversions and survives JSON and CSV', () => {
    const relative = dvh.relativeDose();
    expect(relative.min).toBeCloseTo(17.5, 12);
    expect(relative.max).toBeCloseTo(131, 12);
    expect(relative.absoluteDose().max).toBeCloseTo(2.62, 12);
    expect(DVH.fromJSON(JSON.parse(JSON.stringify(dvh))).doseRange).toEqual([0.35, 2.62]);
    expect(DVH.fromCSV(dvh.toCSV()).doseRange).toEqual([0.35, 2.62]);
  });

  it('the mean takes the lowest and highest bins within the range, so it never leaves [min, max]', () => {
    // Differential [0, 6, 4]: 6 cm3 in [1, 2) (centre 1.5); 4 cm3 in [2, 3) cut to [2, 2.62] (centre 2.31).
    expect(dvh.mean).toBeCloseTo((6 * 1.5 + 4 * 2.31) / 10, 12);
    // dicompyler mode keeps the bin centres: (6 x 1.5 + 4 x 2.5) / 10.
    expect(dvh.with({ lookup: 'dicompyler' }).mean).toBeCloseTo(1.9, 12);
    // A uniform 10 Gy dose fills one fine bin [10, 10.001); its mean is 10 Gy, not above its max.
    const uniform = new DVH({ counts: [7], bins: [10, 10.001], doseRange: [10, 10] });
    expect([uniform.min, uniform.mean, uniform.max]).toEqual([10, 10, 10]);
  });

  it('rejects a range that is not [min <= max], non-negative', () => {
    expect(() => new DVH({ counts: [1], bins: [0, 1], doseRange: [2, 1] })).toThrowError(expect.objectContaining({ code: 'E_INVALID_DVH' }));
    expect(() => new DVH({ counts: [1], bins: [0, 1], doseRange: [-1, 1] })).toThrowError(expect.objectContaining({ code: 'E_INVALID_DVH' }));
  });
});
