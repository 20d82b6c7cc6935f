// SPDX-License-Identifier: BSD-3-Clause
// The surface walk of the precise algorithm's dose extremes (src/dvh/surface-dose.ts) on edges
// that leave the dose grid in-plane: beyond the grid the dose is the border's, so the walk follows
// the edge's clamped image along the border. Expected values are worked by hand from a dose
// linear in x and y (extremes at corners of the clamped box) and from a single hot voxel on the
// border (its dose along the border falls off linearly, so a walk in steps of s mm comes within
// s / 2 of it); the work for a far vertex is counted through the checkpoints.
import { describe, expect, it } from 'vitest';
import { surfaceStoredDoseRange } from '../../src/dvh/surface-dose.js';
import { boxRing, standardGrid } from '../helpers/synthetic.js';

/** Standard grid (x -20..20 every 2 mm, y -20..20 every 2.5 mm, z 0..8), 1e-6 Gy per stored unit. */
const grid = (dose: (x: number, y: number) => number) => standardGrid((x, y) => dose(x, y), { scaling: 1e-6 });
const slab = (ring: number[][], zLowMm = 3, zHighMm = 5) => ({ rings: [Float64Array.from(ring.flat())], zLowMm, zHighMm });

describe('surface walk beyond the grid in-plane', () => {
  it('a box reaching past the left and lower borders: extremes at the clamped corners', async () => {
    // Dose 5.00037 + 0.1 x + 0.04 y Gy. The box x -30.3..10, y -26.1..9 is clamped to
    // x -20..10, y -20..9: minimum at (-20, -20), maximum at (10, 9). The borders x = -20 and
    // y = -20 fall between the walk's points on the edges crossing them, so only the walk along
    // the clamped image reaches the corner.
    const doseGy = (x: number, y: number) => 5.00037 + 0.1 * x + 0.04 * y;
    const range = await surfaceStoredDoseRange(grid(doseGy), [slab(boxRing(-30.3, -26.1, 10, 9))], 0.4);
    expect(range).not.toBeNull();
    expect(range![0] * 1e-6).toBeCloseTo(doseGy(-20, -20), 9);
    expect(range![1] * 1e-6).toBeCloseTo(doseGy(10, 9), 9);
  });

  it('the same box turned the other way round (edges walked in the opposite direction)', async () => {
    const doseGy = (x: number, y: number) => 5.00037 - 0.1 * x + 0.04 * y;
    const ring = boxRing(-10, -9, 30.3, 26.1).reverse();
    const range = await surfaceStoredDoseRange(grid(doseGy), [slab(ring)], 0.4);
    // Clamped to x -10..20, y -9..20: maximum at (-10, 20), minimum at (20, -9).
    expect(range![0] * 1e-6).toBeCloseTo(doseGy(20, -9), 9);
    expect(range![1] * 1e-6).toBeCloseTo(doseGy(-10, 20), 9);
  });

  it('a hot voxel on the border is found by the walk along the clamped image, in steps of the given length', async () => {
    // 1 Gy everywhere but 3 Gy at the voxel centre (-20, 0) on the left border. The box's left
    // edge x = -27 lies beyond the grid; its image runs along x = -20 from y = -6 to 9. Along
    // the border the dose is 3 - 2 |y| / 2.5 near y = 0, so a walk in 0.4 mm steps passes within
    // 0.2 mm of it: at least 3 - 0.16 = 2.84 Gy. (In 2.5 mm steps it would be 2.2 Gy or less.)
    const hot = grid((x, y) => (x === -20 && y === 0 ? 3 : 1));
    const range = await surfaceStoredDoseRange(hot, [slab(boxRing(-27, -6, -10, 9))], 0.4);
    expect(range![1] * 1e-6).toBeGreaterThanOrEqual(2.84 - 1e-9);
    expect(range![1] * 1e-6).toBeLessThanOrEqual(3 + 1e-9);
    expect(range![0] * 1e-6).toBeCloseTo(1, 9);
  });

  it('a vertex a kilometre away costs no more than one just past the border', async () => {
    // The work per edge is bounded by the grid's size: count samples through the checkpoint
    // (awaited every 4096 samples and once at the end).
    const doseGy = (x: number, y: number) => 5 + 0.1 * x + 0.04 * y;
    const dose = grid(doseGy);
    const calls = async (farX: number) => {
      let n = 0;
      const range = await surfaceStoredDoseRange(dose, [slab([[-5, -5], [farX, 0], [-5, 5]], 3, 5)], 0.05, async () => {
        n += 1;
      });
      return { n, range: range! };
    };
    const near = await calls(25);
    const far = await calls(1e6);
    expect(far.n).toBeLessThanOrEqual(near.n + 1);
    // The maximum is on the border x = 20, where the upper edge crosses it: y = 5 - 5 x 25 / 30
    // for the tip at x = 25, y = 5 - 1.25e-4 for the far one; dose 7 + 0.04 y.
    expect(near.range[1] * 1e-6).toBeCloseTo(7 + 0.04 * (5 - (5 * 25) / 30), 6);
    expect(far.range[1] * 1e-6).toBeCloseTo(7 + 0.04 * (5 - (5 * 25) / (1e6 + 5)), 6);
    expect(near.range[0] * 1e-6).toBeCloseTo(doseGy(-5, -5), 9);
  });
});
