// SPDX-License-Identifier: BSD-3-Clause
// The polygon mask's window and its degenerate rings. The window (src/kernels/polygon-mask.ts: "restricted to the window of lattice
// rows and columns its rings can touch"): exactly the lattice rows and columns within the rings'
// bounding box, computed here from the rings alone, on lattices running either way. A window
// too small loses samples on the box's edges; one too large costs every ROI work and memory on
// every plane, which the whole-grid comparisons of polygon-mask.test.ts cannot see.
import { describe, expect, it } from 'vitest';
import { fillCrossings, polygonCrossings, polygonMask } from '../../fallback/polygon-mask.js';
import { bruteForceMask, mulberry32 } from '../helpers/point-in-path.js';

function lattice(n: number, start: number, step: number): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => start + k * step);
}

/** First and one-past-last index of the axis values within [min, max] (the axis is monotone). */
function within(axis: Float64Array, min: number, max: number): [number, number] {
  const hits: number[] = [];
  axis.forEach((v, k) => {
    if (v >= min && v <= max) hits.push(k);
  });
  return hits.length === 0 ? [-1, -1] : [hits[0], hits[hits.length - 1] + 1];
}

function boundingBox(rings: readonly Float64Array[]): { minX: number; maxX: number; minY: number; maxY: number } {
  const xs = rings.flatMap((r) => [...r].filter((_, k) => k % 2 === 0));
  const ys = rings.flatMap((r) => [...r].filter((_, k) => k % 2 === 1));
  return { minX: Math.min(...xs), maxX: Math.max(...xs), minY: Math.min(...ys), maxY: Math.max(...ys) };
}

describe('polygon-mask window and degenerate rings', () => {
  it('is the rows and columns inside the bounding box, on increasing and decreasing axes', () => {
    const random = mulberry32(20261208);
    let nonEmpty = 0;
    for (let trial = 0; trial < 400; trial += 1) {
      const nx = 2 + Math.floor(random() * 30);
      const ny = 2 + Math.floor(random() * 30);
      const sx = (random() < 0.5 ? -1 : 1) * (0.5 + random() * 2);
      const sy = (random() < 0.5 ? -1 : 1) * (0.5 + random() * 2);
      const xs = lattice(nx, random() * 10 - 5, sx);
      const ys = lattice(ny, random() * 10 - 5, sy);
      const points = 3 + Math.floor(random() * 8);
      const ring = new Float64Array(points * 2);
      const snap = random() < 0.5;
      for (let k = 0; k < points; k += 1) {
        // Vertices on lattice points put the box's edges exactly on rows and columns.
        ring[k * 2] = snap ? xs[Math.floor(random() * nx)] : xs[0] + (random() * 1.6 - 0.3) * sx * nx;
        ring[k * 2 + 1] = snap ? ys[Math.floor(random() * ny)] : ys[0] + (random() * 1.6 - 0.3) * sy * ny;
      }
      const box = boundingBox([ring]);
      const [r0, r1] = within(ys, box.minY, box.maxY);
      const [c0, c1] = within(xs, box.minX, box.maxX);
      const mask = polygonMask({ xs, ys }, { rings: [ring] });
      const width = mask.colEnd - mask.colStart;
      const height = mask.rowEnd - mask.rowStart;
      expect(mask.inside.length).toBe(Math.max(0, width) * Math.max(0, height));
      if (r0 < 0 || c0 < 0) {
        expect(mask.count, `trial ${trial}`).toBe(0);
        expect(mask.inside.length, `trial ${trial}`).toBe(0);
        continue;
      }
      nonEmpty += 1;
      expect([mask.rowStart, mask.rowEnd, mask.colStart, mask.colEnd], `trial ${trial}`).toEqual([r0, r1, c0, c1]);
      // And the window's content is the crossing test's, sample by sample.
      const full = bruteForceMask(xs, ys, [ring]);
      for (let j = 0; j < ny; j += 1) {
        for (let i = 0; i < nx; i += 1) {
          const inWindow = j >= r0 && j < r1 && i >= c0 && i < c1;
          const value = inWindow ? mask.inside[(j - r0) * width + (i - c0)] : 0;
          if (value !== full[j * nx + i]) throw new Error(`trial ${trial}: sample (${i}, ${j}) is ${value}, the crossing test says ${full[j * nx + i]}`);
        }
      }
    }
    expect(nonEmpty).toBeGreaterThan(300);
  });

  it('a ring that misses the lattice in one axis has an empty window and no samples', () => {
    const xs = lattice(8, 0, 1);
    const ys = lattice(8, 0, -1); // 0 .. -7
    // Overlaps the columns but lies above every row, then beside every column.
    for (const ring of [Float64Array.from([1, 2, 5, 2, 5, 4]), Float64Array.from([-9, -3, -8, -1, -8.5, -6])]) {
      const mask = polygonMask({ xs, ys }, { rings: [ring] });
      expect(mask.count).toBe(0);
      expect(mask.inside.length).toBe(0);
      expect(mask.rowEnd - mask.rowStart === 0 || mask.colEnd - mask.colStart === 0).toBe(true);
    }
  });

  it('horizontal edges, two-point and one-point rings toggle nothing; a ring between two rows holds no sample', () => {
    const xs = lattice(10, 0, 1);
    const ys = lattice(10, 0, 1);
    // A rectangle whose horizontal edges lie on rows 2 and 6: rows 3..6 are inside (lowY < y <= highY).
    const rectangle = Float64Array.from([1.5, 2, 7.5, 2, 7.5, 6, 1.5, 6]);
    // Off the lattice points: a two-point ring's edges cancel, but on a sample the two directions'
    // boundary rules differ (matplotlib's), so the segment avoids samples.
    const segment = Float64Array.from([0, 0.5, 9, 9.5]);
    const point = Float64Array.from([4, 4]);
    const mask = polygonMask({ xs, ys }, { rings: [rectangle, segment, point] });
    const width = mask.colEnd - mask.colStart;
    const rows: number[] = [];
    for (let j = mask.rowStart; j < mask.rowEnd; j += 1) {
      let n = 0;
      for (let i = 0; i < width; i += 1) n += mask.inside[(j - mask.rowStart) * width + i];
      rows.push(n);
    }
    // The window covers rows 1..9 and columns 0..9 (the segment's box); samples x = 2..7 on rows 3..6.
    expect([mask.rowStart, mask.rowEnd, mask.colStart, mask.colEnd]).toEqual([1, 10, 0, 10]);
    expect(rows).toEqual([0, 0, 6, 6, 6, 6, 0, 0, 0]);
    expect(mask.count).toBe(24);
    const thin = polygonMask({ xs, ys }, { rings: [Float64Array.from([2.2, 3.1, 6.3, 3.1, 6.3, 3.9, 2.2, 3.9])] });
    expect(thin.count).toBe(0);
    expect(thin.rowEnd - thin.rowStart).toBe(0);
  });

  it('the two steps compose: toggles at the window edges, parity filled along each row', () => {
    const xs = lattice(6, 0, 1);
    const ys = lattice(4, 0, 1);
    // Covers columns 1..4 on rows 1..3 (x from 0.5 to 4.5, y from 0.5 to 3.5): the window is the box.
    const ring = Float64Array.from([0.5, 0.5, 4.5, 0.5, 4.5, 3.5, 0.5, 3.5]);
    const crossings = polygonCrossings({ xs, ys }, { rings: [ring] });
    expect([crossings.rowStart, crossings.rowEnd, crossings.colStart, crossings.colEnd]).toEqual([1, 4, 1, 5]);
    // Every row: one toggle on entering at window column 0 and one past its last column (index width).
    const width = crossings.colEnd - crossings.colStart;
    expect([...crossings.toggles]).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1]);
    const mask = fillCrossings(crossings);
    expect(mask.count).toBe(3 * width);
    expect([...mask.inside].every((v) => v === 1)).toBe(true);
    // A ring entering mid-row toggles there: x from 2.5 to 9 covers columns 3..5 on rows 1..3.
    const right = polygonCrossings({ xs, ys }, { rings: [Float64Array.from([2.5, 0.5, 9, 0.5, 9, 3.5, 2.5, 3.5])] });
    expect([right.colStart, right.colEnd]).toEqual([3, 6]);
    expect(fillCrossings(right).count).toBe(9);
  });

  it('a two-point ring marks the samples it passes through, as the crossing test does', () => {
    // Its two edges toggle the same samples except on the segment itself, where matplotlib's
    // rule includes a sample for the upward edge and not for the downward one: dicompyler-core
    // counts such samples, so the mask must too.
    const xs = lattice(10, 0, 1);
    const ys = lattice(10, 0, -1);
    const random = mulberry32(7);
    let marked = 0;
    for (let trial = 0; trial < 40; trial += 1) {
      const pick = () => [xs[Math.floor(random() * 10)], ys[Math.floor(random() * 10)]];
      const rings = [Float64Array.from([...pick(), ...pick()])];
      if (trial % 2 === 0) rings.push(Float64Array.from([...pick(), ...pick(), ...pick()]));
      const mask = polygonMask({ xs, ys }, { rings });
      const full = bruteForceMask(xs, ys, rings);
      const width = mask.colEnd - mask.colStart;
      for (let j = 0; j < 10; j += 1) {
        for (let i = 0; i < 10; i += 1) {
          const inWindow = j >= mask.rowStart && j < mask.rowEnd && i >= mask.colStart && i < mask.colEnd;
          const value = inWindow ? mask.inside[(j - mask.rowStart) * width + (i - mask.colStart)] : 0;
          if (value !== full[j * 10 + i]) throw new Error(`trial ${trial}: sample (${i}, ${j}) is ${value}, the crossing test says ${full[j * 10 + i]}`);
        }
      }
      marked += mask.count;
    }
    // Segments between lattice points pass through samples: some are marked.
    expect(marked).toBeGreaterThan(0);
    // By hand: the segment (2, -2) -> (2, -6) is an upward edge, which toggles x <= 2, and a
    // downward one, which toggles x < 2, on the rows with -6 < y <= -2: the 4 samples at x = 2.
    const vertical = polygonMask({ xs, ys }, { rings: [Float64Array.from([2, -2, 2, -6])] });
    expect(vertical.count).toBe(bruteForceMask(xs, ys, [Float64Array.from([2, -2, 2, -6])]).reduce((a, b) => a + b, 0));
    expect(vertical.count).toBe(4);
  });
});
