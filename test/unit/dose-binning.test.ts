// SPDX-License-Identifier: BSD-3-Clause
// The histogram bins of a DVH calculation (src/dvh/dose-binning.ts), against the documented rule
// worked by hand: dicompyler floor(max cGy) + 1 bins of 1 cGy (lowered to limitCGy), precise
// ceil(max cGy / 0.1) + 1 bins of 0.1 cGy, both up to 2^17 bins, then the smallest of 1, 2, 5 x 10^k
// cGy that fits, with a warning naming the width.
import { describe, expect, it } from 'vitest';
import { MAX_HISTOGRAM_BINS, histogramBinning, histogramTargetBytes } from '../../src/dvh/dose-binning.js';
import { MAX_PLAUSIBLE_DOSE_GY } from '../../src/model/dose-plausibility.js';
import { makeDoseGrid } from '../helpers/synthetic.js';

const ALGORITHMS = ['precise', 'dicompyler'] as const;

/** A 3 x 3 x 2 grid: `maxDose` at one voxel, 1 elsewhere, in `doseUnits`. */
function gridWithMaximum(maxDose: number, scaling = 1e-4, doseUnits: 'GY' | 'CGY' = 'GY') {
  return makeDoseGrid({
    rows: 3,
    columns: 3,
    frames: 2,
    originMm: [-2, -2, 0],
    pixelSpacingMm: [2, 2],
    frameOffsetsMm: [0, 2],
    orientation: 'HFS',
    scaling,
    doseUnits,
    dose: (x, y, z) => (x === 0 && y === 0 && z === 0 ? maxDose : 1),
  });
}

const bins = (algorithm: 'precise' | 'dicompyler', maxGy: number, options?: { limitCGy?: number }) => histogramBinning(algorithm, gridWithMaximum(maxGy), options).binning;

describe('histogram binning', () => {
  it('at the bin-count boundary: 1 cGy (dicompyler) and 0.1 cGy (precise) bins up to MAX_HISTOGRAM_BINS of them, then 2, 5, 10, 20 ... cGy', () => {
    // dicompyler: floor(max cGy) + 1 bins of 1 cGy, exactly dicompyler-core's, up to 131 072 bins.
    expect(bins('dicompyler', 70)).toMatchObject({ binWidthCGy: 1, binCount: 7001 });
    expect(histogramBinning('dicompyler', gridWithMaximum(70)).warning).toBeUndefined();
    expect(bins('dicompyler', 1310.7199)).toMatchObject({ binWidthCGy: 1, binCount: MAX_HISTOGRAM_BINS });
    expect(bins('dicompyler', 1310.7201)).toMatchObject({ binWidthCGy: 2, binCount: 65537 });
    // precise: ceil(max cGy / 0.1) + 1 bins of 0.1 cGy up to 131 072 bins.
    expect(bins('precise', 70)).toMatchObject({ binWidthCGy: 0.1, binCount: 70001 });
    expect(histogramBinning('precise', gridWithMaximum(70)).warning).toBeUndefined();
    expect(bins('precise', 131.0705)).toMatchObject({ binWidthCGy: 0.1, binCount: MAX_HISTOGRAM_BINS });
    expect(bins('precise', 131.0715)).toMatchObject({ binWidthCGy: 0.2, binCount: 65537 });
    // Further up, the smallest of 1, 2, 5 x 10^k cGy that fits.
    for (const algorithm of ALGORITHMS) {
      for (const [maxGy, width] of [[2621, 2], [3800, 5], [6553, 5], [6554, 10], [13_107, 10], [13_108, 20], [20_000, 20], [MAX_PLAUSIBLE_DOSE_GY, 100]] as const) {
        const binning = bins(algorithm, maxGy);
        expect(binning.binWidthCGy, `${algorithm} ${maxGy} Gy`).toBe(width);
        expect(binning.binCount).toBeLessThanOrEqual(MAX_HISTOGRAM_BINS);
        expect(binning.binCount * binning.binWidthCGy).toBeGreaterThan(maxGy * 100);
      }
    }
  });

  it('bin counts past the boundary, worked by hand for both algorithms', () => {
    // dicompyler: 3800 Gy = 380 000 cGy, 380 001 cGy to cover; 5 cGy: ceil(380 001 / 5) = 76 001.
    expect(bins('dicompyler', 3800)).toEqual({ doseGridScaling: 1e-4, unitsToCGy: 100, binWidthCGy: 5, binCount: 76_001 });
    // precise: ceil(380 000 / 5) + 1 = 76 001.
    expect(bins('precise', 3800)).toEqual({ doseGridScaling: 1e-4, unitsToCGy: 100, binWidthCGy: 5, binCount: 76_001 });
    // 2 cGy at 2 000 Gy: dicompyler ceil(200 001 / 2) = 100 001; precise 200 000 / 2 + 1 = 100 001.
    expect(bins('dicompyler', 2000).binCount).toBe(100_001);
    expect(bins('precise', 2000).binCount).toBe(100_001);
    // 1 cGy (a width of 10 x precise's): precise at 1 000 Gy, ceil(100 000 / 1) + 1 = 100 001.
    expect(bins('precise', 1000)).toMatchObject({ binWidthCGy: 1, binCount: 100_001 });
    // Exactly 2^17 bins at a coarse width fit: dicompyler 262 143.5 cGy, 262 144 cGy to cover in
    // 2 cGy bins; precise 26 214.15 cGy, ceil(26 214.15 / 0.2) + 1 = 131 072.
    expect(bins('dicompyler', 2621.435)).toMatchObject({ binWidthCGy: 2, binCount: MAX_HISTOGRAM_BINS });
    expect(bins('precise', 262.1415)).toMatchObject({ binWidthCGy: 0.2, binCount: MAX_HISTOGRAM_BINS });
    // dicompyler below its boundary with a fractional maximum: floor(123 456.7) + 1 = 123 457.
    expect(bins('dicompyler', 1234.567)).toMatchObject({ binWidthCGy: 1, binCount: 123_457 });
  });

  it('the warning says the dose, the algorithm, its own width and the width used, and only when they differ', () => {
    const coarse = histogramBinning('dicompyler', gridWithMaximum(3800));
    expect(coarse.warning).toBe(
      "the dose reaches 3800 Gy, which at the dicompyler algorithm's 1 cGy bins would need more than 131072 histogram bins; " +
        'the bins are 5 cGy (0.05 Gy) wide instead, so doses and statistics are resolved to 5 cGy.',
    );
    expect(histogramBinning('precise', gridWithMaximum(1000)).warning).toMatch(/^the dose reaches 1000 Gy, which at the precise algorithm's 0\.1 cGy bins .* the bins are 1 cGy \(0\.01 Gy\) wide instead/);
    expect(histogramBinning('precise', gridWithMaximum(131.0705)).warning).toBeUndefined();
    expect(histogramBinning('dicompyler', gridWithMaximum(1310.7199)).warning).toBeUndefined();
  });

  it('limitCGy lowers the dicompyler range, including below the coarsening boundary, and never raises it', () => {
    expect(bins('dicompyler', 20_000, { limitCGy: 7000 })).toMatchObject({ binWidthCGy: 1, binCount: 7000 });
    expect(histogramBinning('dicompyler', gridWithMaximum(20_000), { limitCGy: 7000 }).warning).toBeUndefined();
    // Exactly at the boundary: 131 072 cGy of range still fits in 1 cGy bins.
    expect(bins('dicompyler', 20_000, { limitCGy: MAX_HISTOGRAM_BINS })).toMatchObject({ binWidthCGy: 1, binCount: MAX_HISTOGRAM_BINS });
    // A limit above the natural range changes nothing: 70 Gy has 7 001 bins whatever the limit.
    expect(bins('dicompyler', 70, { limitCGy: 7001 })).toMatchObject({ binWidthCGy: 1, binCount: 7001 });
    expect(bins('dicompyler', 70, { limitCGy: 9000 })).toMatchObject({ binWidthCGy: 1, binCount: 7001 });
    expect(bins('dicompyler', 70, { limitCGy: 7000 })).toMatchObject({ binWidthCGy: 1, binCount: 7000 });
    // A limit that still needs more than 2^17 bins coarsens from the limit, not from the maximum:
    // 300 000 cGy in 5 cGy bins is 60 000.
    expect(bins('dicompyler', 20_000, { limitCGy: 300_000 })).toMatchObject({ binWidthCGy: 5, binCount: 60_000 });
    // precise has no limit: its range is the maximum's.
    expect(bins('precise', 70, { limitCGy: 100 })).toMatchObject({ binWidthCGy: 0.1, binCount: 70001 });
  });

  it('a dose in cGy is binned as the same dose in Gy', () => {
    for (const algorithm of ALGORITHMS) {
      for (const maxGy of [70, 3800]) {
        const inCGy = histogramBinning(algorithm, gridWithMaximum(maxGy * 100, 1e-2, 'CGY')).binning;
        const inGy = bins(algorithm, maxGy);
        expect(inCGy.unitsToCGy).toBe(1);
        expect([inCGy.binWidthCGy, inCGy.binCount], `${algorithm} ${maxGy} Gy`).toEqual([inGy.binWidthCGy, inGy.binCount]);
      }
    }
  });

  it('one histogram target holds float64 counts and two ramp accumulators of one more entry each', () => {
    expect(histogramTargetBytes(10)).toBe((10 + 2 * 11) * 8);
    expect(histogramTargetBytes(MAX_HISTOGRAM_BINS)).toBe((3 * MAX_HISTOGRAM_BINS + 2) * 8);
    expect(histogramTargetBytes(0)).toBe(16);
  });
});
