// SPDX-License-Identifier: BSD-3-Clause
// Weighted sums and differences of two (or three) DIFFERENT doses, checked voxel by voxel against
// a computation written here: stored value x DoseGridScaling x weight, summed. The sum is stored
// as unsigned 32-bit integers with a new DoseGridScaling (src/dose/quantize.ts rounds each voxel to
// the nearest step), so a stored sum must lie within one step of the float64 sum.
import { describe, expect, it } from 'vitest';
import { doseDifferenceGy, sumDoseGrids } from '../../src/dose/sum.js';
import type { DoseGrid } from '../../src/model/dose-grid.js';
import { makeDoseGrid } from '../helpers/synthetic.js';

const UINT32_MAX = 0xffffffff;

// One grid (HFS): 6 columns x = -10, -7.5, ..., 2.5; 5 rows y = -8, -6, ..., 0; 4 frames z = 0, 3, 6, 9.
const GRID = {
  rows: 5,
  columns: 6,
  frames: 4,
  originMm: [-10, -8, 0] as const,
  pixelSpacingMm: [2, 2.5] as const,
  frameOffsetsMm: [0, 3, 6, 9],
  orientation: 'HFS' as const,
};

/** Three different doses on that grid, each varying along x, y and z, each with its own scaling. */
const doseA = makeDoseGrid({ ...GRID, scaling: 0.0007, dose: (x, y, z) => 3 + 0.1 * x + 0.05 * y + 0.03 * z, source: 'A' });
const doseB = makeDoseGrid({ ...GRID, scaling: 0.0013, dose: (x, y, z) => 2.5 - 0.06 * x + 0.12 * y + 0.02 * z * z, source: 'B' });
const doseC = makeDoseGrid({ ...GRID, scaling: 0.00002, dose: (x, y, z) => 0.5 + 0.01 * x * y + 0.04 * z, source: 'C' });

/** Per voxel: sum over grids of stored x scaling x weight (every grid here is in Gy). */
function expectedSum(grids: readonly DoseGrid[], weights: readonly number[]): Float64Array {
  const out = new Float64Array(grids[0].pixels.length);
  grids.forEach((g, k) => {
    for (let i = 0; i < out.length; i += 1) out[i] += g.pixels[i] * g.doseGridScaling * weights[k];
  });
  return out;
}

/** The stored sum is within one quantisation step of `expected` at every voxel, and the scaling puts the maximum at the top of the range. */
function expectStoredSum(sum: DoseGrid, expected: Float64Array): void {
  expect(sum.pixels.length).toBe(expected.length);
  const step = sum.doseGridScaling;
  let max = 0;
  for (const v of expected) max = Math.max(max, v);
  // Full range: the maximum maps to (about) 2^32 - 1 stored units.
  expect(step).toBeGreaterThan(0);
  expect(Math.abs(step * UINT32_MAX - max) / max).toBeLessThan(1e-9);
  const off: string[] = [];
  for (let i = 0; i < expected.length; i += 1) {
    const got = sum.pixels[i] * step;
    if (!(Math.abs(got - expected[i]) <= step)) off.push(`voxel ${i}: ${got} Gy, expected ${expected[i]} Gy`);
  }
  expect(off).toEqual([]);
}

describe('sums of different doses on one grid', () => {
  it('the three test doses differ from each other at almost every voxel (so a sum that drops one shows)', () => {
    const a = expectedSum([doseA], [1]);
    const b = expectedSum([doseB], [1]);
    const c = expectedSum([doseC], [1]);
    let apart = 0;
    for (let i = 0; i < a.length; i += 1) {
      if (Math.abs(a[i] - b[i]) > 0.01 && Math.abs(b[i] - c[i]) > 0.01) apart += 1;
      expect(b[i]).toBeGreaterThan(0.5);
      expect(c[i]).toBeGreaterThan(0.2);
    }
    expect(apart).toBeGreaterThan(0.9 * a.length);
  });

  it('sumDoseGrids([A, B]) with weights 1 and 0.5 is A + 0.5 B voxel by voxel', async () => {
    const sum = await sumDoseGrids([doseA, doseB], { weights: [1, 0.5], backend: 'cpu' });
    expect(sum.info.derivation?.inputs.map((i) => i.resampled)).toEqual([false, false]);
    expectStoredSum(sum, expectedSum([doseA, doseB], [1, 0.5]));
  });

  it('sumDoseGrids([B, A]) with weights 2 and 0.25 (order and weights both matter)', async () => {
    const sum = await sumDoseGrids([doseB, doseA], { weights: [2, 0.25], backend: 'cpu' });
    expectStoredSum(sum, expectedSum([doseB, doseA], [2, 0.25]));
  });

  it('A.add(B, { weight: 0.5 }) is A + 0.5 B', async () => {
    const sum = await doseA.add(doseB, { weight: 0.5, backend: 'cpu' });
    expectStoredSum(sum, expectedSum([doseA, doseB], [1, 0.5]));
  });

  it('sumDoseGrids of three different grids with weights 1, 0.5, 3 is their weighted sum', async () => {
    const sum = await sumDoseGrids([doseA, doseB, doseC], { weights: [1, 0.5, 3], backend: 'cpu' });
    expectStoredSum(sum, expectedSum([doseA, doseB, doseC], [1, 0.5, 3]));
  });

  it('a zero weight drops that dose: [A, B] with weights 0 and 1 is B', async () => {
    const sum = await sumDoseGrids([doseA, doseB], { weights: [0, 1], backend: 'cpu' });
    expectStoredSum(sum, expectedSum([doseB], [1]));
  });
});

describe('doseDifferenceGy on one grid', () => {
  it('is A - B at every voxel (float32), negative values kept', async () => {
    const diff = await doseDifferenceGy(doseA, doseB, { backend: 'cpu' });
    const a = expectedSum([doseA], [1]);
    const b = expectedSum([doseB], [1]);
    expect(diff.length).toBe(a.length);
    let negatives = 0;
    for (let i = 0; i < a.length; i += 1) {
      // float32 keeps 24 bits: about 6e-8 relative of a few Gy.
      expect(Math.abs(diff[i] - (a[i] - b[i]))).toBeLessThan(1e-6);
      if (diff[i] < 0) negatives += 1;
    }
    expect(negatives).toBeGreaterThan(0);
    expect(negatives).toBeLessThan(a.length);
  });

  it('is B - A the other way round', async () => {
    const diff = await doseDifferenceGy(doseB, doseA, { backend: 'cpu' });
    const a = expectedSum([doseA], [1]);
    const b = expectedSum([doseB], [1]);
    for (let i = 0; i < a.length; i += 1) expect(Math.abs(diff[i] - (b[i] - a[i]))).toBeLessThan(1e-6);
  });
});

// A grid that is not coincident with the target and covers only part of it. Its stored values are
// exact integers of a linear field, 1000 + 10 x + 20 y + 30 z (scaling 0.001 Gy), so trilinear
// interpolation at any point inside it gives the field itself: 0.001 x (1000 + 10 x + 20 y + 30 z) Gy.
//   columns x = 0, 2, ..., 10 (6); rows y = -6, -3, ..., 6 (5); frames z = 0, 2, 4, 6, 8.
const linearField = (x: number, y: number, z: number): number => 0.001 * (1000 + 10 * x + 20 * y + 30 * z);
const partial = makeDoseGrid({
  rows: 5,
  columns: 6,
  frames: 5,
  originMm: [0, -6, 0],
  pixelSpacingMm: [3, 2],
  frameOffsetsMm: [0, 2, 4, 6, 8],
  orientation: 'HFS',
  scaling: 0.001,
  dose: linearField,
  source: 'partial',
});
// The target: columns x = -4.5, 0.5, 5.5 (x = -4.5 lies 4.5 mm, more than two of the partial
// grid's voxels, outside it; 0.5 and 5.5 inside); rows y = -4, -1, 2, 5; frames z = 0, 3, 6,
// all inside the partial grid's y and z extent. Its own dose: 1 + 0.02 x + 0.03 y + 0.05 z Gy.
const target = makeDoseGrid({
  rows: 4,
  columns: 3,
  frames: 3,
  originMm: [-4.5, -4, 0],
  pixelSpacingMm: [3, 5],
  frameOffsetsMm: [0, 3, 6],
  orientation: 'HFS',
  scaling: 0.0005,
  dose: (x, y, z) => 2 + 0.02 * x + 0.03 * y + 0.05 * z,
  source: 'target',
});

/** Patient coordinates of every target voxel, frame-major. */
function targetPoints(): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const z of [0, 3, 6]) for (const y of [-4, -1, 2, 5]) for (const x of [-4.5, 0.5, 5.5]) out.push([x, y, z]);
  return out;
}

/** The partial grid's dose at a target voxel: the linear field inside, `cval` outside (x = -4.5). */
function partialAt([x, y, z]: [number, number, number], cval: number): number {
  return x < 0 ? cval : linearField(x, y, z);
}

describe("a partly outside grid with mode 'constant' and cval", () => {
  it('sumDoseGrids([target, partial]) with weights 1, 0.5 and cval 2 Gy: outside voxels get 0.5 x 2 Gy', async () => {
    expect(target.isCoincident(partial)).toBe(false);
    const cval = 2;
    const sum = await sumDoseGrids([target, partial], { weights: [1, 0.5], mode: 'constant', cval, backend: 'cpu' });
    expect(sum.info.derivation?.inputs.map((i) => i.resampled)).toEqual([false, true]);
    const points = targetPoints();
    const expected = Float64Array.from(points, (p, i) => target.pixels[i] * target.doseGridScaling + 0.5 * partialAt(p, cval));
    expectStoredSum(sum, expected);
    // The outside column really differs from what 0 outside would give (0.5 x 2 = 1 Gy more).
    expect(sum.pixels[0] * sum.doseGridScaling - target.pixels[0] * target.doseGridScaling).toBeCloseTo(1, 6);
  });

  it('without cval the outside voxels get nothing from the partial grid', async () => {
    const sum = await sumDoseGrids([target, partial], { weights: [1, 0.5], backend: 'cpu' });
    const expected = Float64Array.from(targetPoints(), (p, i) => target.pixels[i] * target.doseGridScaling + 0.5 * partialAt(p, 0));
    expectStoredSum(sum, expected);
  });

  it('doseDifferenceGy(target, partial, { cval: 1.5 }) is target - partial, with partial = 1.5 Gy outside it', async () => {
    const cval = 1.5;
    const diff = await doseDifferenceGy(target, partial, { mode: 'constant', cval, backend: 'cpu' });
    const points = targetPoints();
    expect(diff.length).toBe(points.length);
    points.forEach((p, i) => {
      const expected = target.pixels[i] * target.doseGridScaling - partialAt(p, cval);
      expect(Math.abs(diff[i] - expected)).toBeLessThan(1e-6);
    });
  });
});
