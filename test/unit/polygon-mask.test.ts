// SPDX-License-Identifier: BSD-3-Clause
import { describe, expect, it } from 'vitest';
import { polygonMask } from '../../fallback/polygon-mask.js';
import type { LayerMask } from '../../src/kernels/polygon-mask.js';
import { bruteForceMask, mulberry32 } from '../helpers/point-in-path.js';

function expand(mask: LayerMask, nx: number, ny: number): Uint8Array {
  const full = new Uint8Array(nx * ny);
  const width = mask.colEnd - mask.colStart;
  for (let j = mask.rowStart; j < mask.rowEnd; j += 1) {
    for (let i = mask.colStart; i < mask.colEnd; i += 1) full[j * nx + i] = mask.inside[(j - mask.rowStart) * width + (i - mask.colStart)];
  }
  return full;
}

function lattice(n: number, start: number, step: number): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => start + k * step);
}

describe('polygon-mask (CPU) against the point-by-point crossing test', () => {
  it('a square with corners on sample points and edges through sample rows/columns', () => {
    const xs = lattice(10, 0, 1);
    const ys = lattice(10, 0, 1);
    const ring = Float64Array.from([2, 2, 6, 2, 6, 6, 2, 6]);
    const mask = polygonMask({ xs, ys }, { rings: [ring] });
    expect(expand(mask, 10, 10)).toEqual(bruteForceMask(xs, ys, [ring]));
    // Worked by hand from the rule: rows count when 2 < y <= 6 (4 rows); the right edge (upward)
    // toggles x <= 6 and the left edge (downward) toggles x < 2, so 2 <= x <= 6 (5 columns).
    expect(mask.count).toBe(20);
  });

  it('hole, island in the hole, and two overlapping rings (XOR)', () => {
    const xs = lattice(40, -10, 0.5);
    const ys = lattice(40, -10, 0.5);
    const outer = Float64Array.from([-8, -8, 8, -8, 8, 8, -8, 8]);
    const hole = Float64Array.from([-4, -4, 4, -4, 4, 4, -4, 4]);
    const island = Float64Array.from([-1, -1, 1, -1, 1, 1, -1, 1]);
    const a = Float64Array.from([-9.3, 5, -2.1, 5, -2.1, 9, -9.3, 9]);
    const rings = [outer, hole, island, a];
    expect(expand(polygonMask({ xs, ys }, { rings }), 40, 40)).toEqual(bruteForceMask(xs, ys, rings));
  });

  it('seeded random polygons on random lattices, increasing and decreasing axes, exact match', () => {
    const random = mulberry32(20261125);
    for (let trial = 0; trial < 300; trial += 1) {
      const nx = 1 + Math.floor(random() * 40);
      const ny = 1 + Math.floor(random() * 40);
      const sx = (random() < 0.3 ? -1 : 1) * (0.2 + random() * 3);
      const sy = (random() < 0.3 ? -1 : 1) * (0.2 + random() * 3);
      const xs = lattice(nx, random() * 10 - 5, sx);
      const ys = lattice(ny, random() * 10 - 5, sy);
      const rings: Float64Array[] = [];
      const ringCount = 1 + Math.floor(random() * 3);
      for (let r = 0; r < ringCount; r += 1) {
        const points = 3 + Math.floor(random() * 30);
        const ring = new Float64Array(points * 2);
        const snap = random() < 0.4; // vertices on lattice points stress the boundary rule
        for (let k = 0; k < points; k += 1) {
          if (snap) {
            ring[k * 2] = xs[Math.floor(random() * nx)];
            ring[k * 2 + 1] = ys[Math.floor(random() * ny)];
          } else {
            ring[k * 2] = xs[0] + (random() * 1.4 - 0.2) * sx * nx;
            ring[k * 2 + 1] = ys[0] + (random() * 1.4 - 0.2) * sy * ny;
          }
        }
        rings.push(ring);
      }
      const mask = polygonMask({ xs, ys }, { rings });
      const expected = bruteForceMask(xs, ys, rings);
      const actual = expand(mask, nx, ny);
      if (actual.some((v, i) => v !== expected[i])) throw new Error(`mismatch in trial ${trial}`);
      expect(mask.count).toBe(expected.reduce((a, b) => a + b, 0));
    }
  });

  it('degenerate input: empty layer, a ring outside the lattice, a zero-area sliver', () => {
    const xs = lattice(5, 0, 1);
    const ys = lattice(5, 0, 1);
    expect(polygonMask({ xs, ys }, { rings: [] }).count).toBe(0);
    expect(polygonMask({ xs, ys }, { rings: [Float64Array.from([10, 10, 12, 10, 12, 12])] }).count).toBe(0);
    const sliver = Float64Array.from([0, 0, 4, 4, 2, 2]);
    expect(expand(polygonMask({ xs, ys }, { rings: [sliver] }), 5, 5)).toEqual(bruteForceMask(xs, ys, [sliver]));
  });
});
