// SPDX-License-Identifier: BSD-3-Clause
// The dicompyler algorithm's 1 cGy histogram at its bin edges. dicompyler-core bins with
// numpy.histogram(dose, bins=N, range=(0, N)): bins are half-open [k, k + 1) except the last,
// which is closed [N - 1, N], so a dose exactly at the top edge N counts in bin N - 1 and a dose
// above N is not counted. N is floor(max cGy) + 1, or limitCGy when that is lower. Every dose
// below is a whole number of cGy, i.e. exactly on a bin edge; the expected histograms are counted
// by hand from that rule.
//
// Grid (HFS, DoseUnits CGY, DoseGridScaling 1, so the stored value is the dose in cGy exactly):
//   columns 21 along x = -20, -18, ..., 20; rows 17 along y = -20, -17.5, ..., 20;
//   frames 5 at z = 0, 2, 4, 6, 8. One voxel: 2 x 2.5 mm x 2 mm planes = 10 mm^3 = 0.01 cm^3.
// The box: x edges -5..3 (centres -4, -2, 0, 2), y edges -3.75..3.75 (centres -2.5, 0, 2.5),
// on all 5 planes: 12 x 5 = 60 voxels, 5 (0.05 cm^3) per (x, y) centre.
import { describe, expect, it } from 'vitest';
import { getDvh } from '../../src/dvh/calculate.js';
import type { DvhCalculationOptions } from '../../src/dvh/calculation-options.js';
import type { DVH } from '../../src/dvh/dvh.js';
import { NO_BIN, binPlane } from '../../src/gpu/bin-plane.js';
import type { DoseGrid } from '../../src/model/dose-grid.js';
import { boxRing, makeStructureSet, standardGrid } from '../helpers/synthetic.js';

function grid(dose: (x: number, y: number, z: number) => number, units: 'CGY' | 'GY' = 'CGY', scaling = 1): DoseGrid {
  return standardGrid(dose, { scaling, doseUnits: units });
}

const BOX = boxRing(-5, -3.75, 3, 3.75);
const structures = makeStructureSet([{ number: 1, name: 'box', planes: [0, 2, 4, 6, 8].map((zMm) => ({ zMm, rings: [BOX] })) }]);

/**
 * 280 + 5 (x + 4) + 4 y / 2.5 cGy: in the box, x = -4, -2, 0, 2 give 280, 290, 300, 310 and
 * y = -2.5, 0, 2.5 add -4, 0, +4, so the twelve box doses are
 *   276 280 284 | 286 290 294 | 296 300 304 | 306 310 314 cGy, each on 5 voxels.
 * The grid maximum (x = 20, y = 20) is 280 + 120 + 32 = 432 cGy.
 */
const steps = (x: number, y: number): number => 280 + 5 * (x + 4) + (4 * y) / 2.5;

async function dvhOf(g: DoseGrid, options: DvhCalculationOptions = {}): Promise<DVH> {
  return getDvh(structures, g, 1, { algorithm: 'dicompyler', backend: 'cpu', ...options });
}

/** Non-empty bins of the differential DVH as [bin index, voxels] (0.01 cm^3 per voxel). */
function voxelsPerBin(dvh: DVH): [number, number][] {
  const out: [number, number][] = [];
  dvh.differential.counts.forEach((c, i) => {
    if (Math.abs(c) > 1e-12) out.push([i, Math.round(c / 0.01)]);
  });
  return out;
}

describe('dicompyler bins: doses exactly on bin edges', () => {
  it('without a limit each whole-cGy dose d falls in bin d (half-open bins)', async () => {
    const dvh = await dvhOf(grid(steps));
    // floor(432) + 1 = 433 bins; no box dose reaches the top edge 433.
    expect(voxelsPerBin(dvh)).toEqual([276, 280, 284, 286, 290, 294, 296, 300, 304, 306, 310, 314].map((d) => [d, 5]));
    expect(dvh.volume).toBeCloseTo(0.6, 12);
  });

  it('limitCGy 300: the dose of exactly 300 cGy (on the top edge) counts in the last bin, 299; higher doses are dropped', async () => {
    const dvh = await dvhOf(grid(steps), { limitCGy: 300 });
    expect(dvh.differential.counts).toHaveLength(300);
    // Counted: 276 .. 296 in their own bins, 300 in bin 299 (closed last bin); 304 .. 314 lie above.
    expect(voxelsPerBin(dvh)).toEqual([[276, 5], [280, 5], [284, 5], [286, 5], [290, 5], [294, 5], [296, 5], [299, 5]]);
    // 8 doses x 5 voxels = 40 voxels = 0.4 cm^3.
    expect(dvh.volume).toBeCloseTo(0.4, 12);
    // The highest non-empty bin is the last one, whose upper edge is 300 cGy.
    expect(dvh.max).toBeCloseTo(3, 12);
    // Cumulative: all 0.4 cm^3 receive at least 2.76 Gy; the last bin holds 0.05 cm^3.
    expect(dvh.counts[276]).toBeCloseTo(0.4, 12);
    expect(dvh.counts[299]).toBeCloseTo(0.05, 12);
  });

  it('limitCGy 314, the box maximum: 314 cGy counts in bin 313, nothing is dropped', async () => {
    const dvh = await dvhOf(grid(steps), { limitCGy: 314 });
    expect(dvh.differential.counts).toHaveLength(314);
    expect(voxelsPerBin(dvh)).toEqual([276, 280, 284, 286, 290, 294, 296, 300, 304, 306, 310, 313].map((d) => [d, 5]));
    expect(dvh.volume).toBeCloseTo(0.6, 12);
    expect(dvh.max).toBeCloseTo(3.14, 12);
  });

  it('a uniform dose of exactly limitCGy: every voxel in the last bin, maximum 3.00 Gy', async () => {
    const dvh = await dvhOf(grid(() => 300), { limitCGy: 300 });
    expect(dvh.differential.counts).toHaveLength(300);
    expect(voxelsPerBin(dvh)).toEqual([[299, 60]]);
    expect(dvh.volume).toBeCloseTo(0.6, 12);
    expect(dvh.max).toBeCloseTo(3, 12);
    expect(dvh.counts[299]).toBeCloseTo(0.6, 12);
  });

  it('a uniform dose one cGy above limitCGy counts nowhere (the ROI has no counted sample)', async () => {
    await expect(dvhOf(grid(() => 301), { limitCGy: 300 })).rejects.toThrow(/no dose-grid sample inside its contours was counted/);
  });

  it('Gy grid, DoseGridScaling 0.01 (stored = cGy): the same rule with the dose computed as stored x scaling x 100', async () => {
    // numpy receives stored x 0.01 x 100 in float64, which is not always the integer it stands for
    // (290 x 0.01 = 2.9000000000000004, so 290.00000000000006 cGy); the expected bins below are
    // counted from those float64 values by numpy's rule, written out here.
    const g = grid((x, y) => steps(x, y) / 100, 'GY', 0.01);
    const limit = 300;
    const expected = new Map<number, number>();
    for (const x of [-4, -2, 0, 2]) {
      for (const y of [-2.5, 0, 2.5]) {
        const cGy = steps(x, y) * 0.01 * 100;
        if (!(cGy >= 0 && cGy <= limit)) continue;
        const bin = cGy === limit ? limit - 1 : Math.floor(cGy);
        expected.set(bin, (expected.get(bin) ?? 0) + 5);
      }
    }
    // The 300 cGy voxels sit on the top edge (300 x 0.01 = 3 exactly): they must be in bin 299.
    expect(300 * 0.01 * 100).toBe(300);
    expect(expected.get(299)).toBe(5);
    const dvh = await dvhOf(g, { limitCGy: limit });
    expect(voxelsPerBin(dvh)).toEqual([...expected.entries()].sort((a, b) => a[0] - b[0]));
    expect(dvh.max).toBeCloseTo(3, 12);
  });
});

describe('binPlane (the bins the GPU kernel looks up): the same numpy rule', () => {
  it('half-open bins, a closed last bin, nothing outside [0, top]', () => {
    const binning = { doseGridScaling: 1, unitsToCGy: 1, binWidthCGy: 1, binCount: 300 };
    const values = [0, 1, 1.5, 298, 299, 299.5, 300, 300.25, 301, -1];
    const expected = [0, 1, 1, 298, 299, 299, 299, NO_BIN, NO_BIN, NO_BIN];
    expect(Array.from(binPlane(values, binning))).toEqual(expected);
  });

  it('with 5 cGy bins the top edge (binCount x 5) also falls in the last bin', () => {
    const binning = { doseGridScaling: 1, unitsToCGy: 1, binWidthCGy: 5, binCount: 4 };
    // Edges 0, 5, 10, 15, 20.
    const values = [0, 4.5, 5, 10, 15, 19, 20, 20.5];
    expect(Array.from(binPlane(values, binning))).toEqual([0, 0, 1, 2, 3, 3, 3, NO_BIN]);
  });
});
