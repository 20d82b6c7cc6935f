// SPDX-License-Identifier: BSD-3-Clause
// The CPU dose-histogram kernel called directly on small hand-made planes and masks. Point samples:
// the bin of each sample's dose (stored x scaling x units, floored, top edge folded into the last
// bin, out-of-range doses not counted), the mask window's indexing and the bilinear dose at
// supersampled lattice points. Spread samples (the precise algorithm): each counted sample adds a
// unit mass spread uniformly over [d - w, d + w], w = half the norm of (gradient x cell), clipped to
// the binned range. Every expected value is worked out by hand or from a closed form of the dose.
import { describe, expect, it } from 'vitest';
import { doseHistogram, MIN_SPREAD_BINS } from '../../fallback/dose-histogram.js';
import { type DoseBinning, type DosePlaneInput, type HistogramTarget, emptyTarget, spreadCounts } from '../../src/kernels/dose-histogram.js';
import type { LayerMask } from '../../src/kernels/polygon-mask.js';

/** A mask window [rowStart, rowEnd) x [colStart, colEnd) with `inside` given row by row. */
function maskOf(rowStart: number, rowEnd: number, colStart: number, colEnd: number, inside: readonly number[]): LayerMask {
  const width = colEnd - colStart;
  if (inside.length !== width * (rowEnd - rowStart)) throw new Error('maskOf: wrong inside length');
  return { rowStart, rowEnd, colStart, colEnd, inside: Uint8Array.from(inside), count: inside.filter((v) => v !== 0).length };
}

/** Every sample of an nx x ny lattice inside. */
function fullMask(nx: number, ny: number): LayerMask {
  return maskOf(0, ny, 0, nx, new Array<number>(nx * ny).fill(1));
}

function binning(binCount: number, binWidthCGy = 1, doseGridScaling = 1, unitsToCGy = 1): DoseBinning {
  return { doseGridScaling, unitsToCGy, binWidthCGy, binCount };
}

/** Nonzero entries of a histogram as { bin: count }. */
function nonzero(counts: ArrayLike<number>): Record<number, number> {
  const out: Record<number, number> = {};
  for (let b = 0; b < counts.length; b += 1) if (counts[b] !== 0) out[b] = counts[b];
  return out;
}

/** Fractional voxel index of lattice sample i, clamped to the grid (the contract's rule). */
function voxelIndex(i: number, factor: number, voxels: number): number {
  return Math.min(voxels - 1, Math.max(0, (i + 0.5) / factor - 0.5));
}

/**
 * Plane values (rows x columns, row-major) holding G(x, y) at lattice-axis voxel (x, y): x along
 * the columns, or along the rows when transposed.
 */
function planeValues(nx: number, ny: number, transposed: boolean, g: (x: number, y: number) => number): { values: Float64Array; rows: number; columns: number } {
  const rows = transposed ? nx : ny;
  const columns = transposed ? ny : nx;
  const values = new Float64Array(rows * columns);
  for (let x = 0; x < nx; x += 1) for (let y = 0; y < ny; y += 1) values[transposed ? x * columns + y : y * columns + x] = g(x, y);
  return { values, rows, columns };
}

/** Mass per bin of unit samples spread uniformly over [lo, hi] (in bins), clipped to [0, binCount]; narrow ones are points. */
function uniformMass(intervals: readonly (readonly [number, number])[], binCount: number): Float64Array {
  const out = new Float64Array(binCount);
  for (const [a, b] of intervals) {
    if (b < 0 || a > binCount) continue;
    const lo = Math.max(0, a);
    const hi = Math.min(binCount, b);
    if (hi - lo < 1 / 64) {
      out[Math.min(binCount - 1, Math.floor(lo))] += 1;
      continue;
    }
    for (let k = Math.floor(lo); k < Math.min(binCount, Math.ceil(hi)); k += 1) out[k] += (Math.min(k + 1, hi) - Math.max(k, lo)) / (hi - lo);
  }
  return out;
}

function expectMass(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 9): void {
  expect(actual.length).toBe(expected.length);
  for (let b = 0; b < expected.length; b += 1) {
    if (Math.abs(actual[b] - expected[b]) > 10 ** -digits) expect.fail(`bin ${b}: ${actual[b]} != ${expected[b]}`);
  }
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < values.length; k += 1) s += values[k];
  return s;
}

describe('dose-histogram kernel, point samples at voxel centres', () => {
  // Stored value at column c, row r: 10 r + c + 0.5, so each voxel has its own 1 cGy bin.
  const columns = 4;
  const rows = 3;
  const values = Float64Array.from({ length: rows * columns }, (_, k) => 10 * Math.floor(k / columns) + (k % columns) + 0.5);
  const plane: DosePlaneInput = { values, rows, columns, transposed: false, factorX: 1, factorY: 1 };

  it('counts only the inside samples of the mask window, each in the bin of its own voxel', () => {
    // Window rows 1..2, columns 1..2; inside: (c1, r1), (c1, r2), (c2, r2).
    const mask = maskOf(1, 3, 1, 3, [1, 0, 1, 1]);
    const target = emptyTarget(40);
    expect(doseHistogram(plane, mask, binning(40), target)).toBe(3);
    expect(nonzero(target.counts)).toEqual({ 11: 1, 21: 1, 22: 1 });
    // Point samples leave the ramps and the extremes alone.
    expect(sum(target.rampConstant)).toBe(0);
    expect(sum(target.rampSlope)).toBe(0);
    expect(target.minCGy).toBe(Infinity);
    expect(target.maxCGy).toBe(-Infinity);
  });

  it('a window starting at column 2 of row 0 reads the voxels it names', () => {
    const mask = maskOf(0, 2, 2, 4, [0, 1, 1, 0]);
    const target = emptyTarget(40);
    expect(doseHistogram(plane, mask, binning(40), target)).toBe(2);
    expect(nonzero(target.counts)).toEqual({ 3: 1, 12: 1 });
  });

  it('without a target it only counts, and counts the same samples', () => {
    const mask = maskOf(1, 3, 1, 3, [1, 0, 1, 1]);
    expect(doseHistogram(plane, mask, binning(40), null)).toBe(3);
    // A binned range that leaves out row 2 (doses 20.5 and up).
    expect(doseHistogram(plane, mask, binning(20), null)).toBe(1);
  });

  it('adds to what the target already holds', () => {
    const mask = maskOf(1, 2, 1, 2, [1]);
    const target = emptyTarget(40);
    doseHistogram(plane, mask, binning(40), target);
    doseHistogram(plane, mask, binning(40), target);
    expect(nonzero(target.counts)).toEqual({ 11: 2 });
  });

  it('the dose is stored x scaling x units, binned by the bin width', () => {
    // 7 x 0.5 x 100 = 350 cGy, 3 x 0.5 x 100 = 150 cGy, in 2.5 cGy bins.
    const p: DosePlaneInput = { values: [7, 3], rows: 1, columns: 2, transposed: false, factorX: 1, factorY: 1 };
    const target = emptyTarget(200);
    expect(doseHistogram(p, fullMask(2, 1), binning(200, 2.5, 0.5, 100), target)).toBe(2);
    expect(nonzero(target.counts)).toEqual({ 140: 1, 60: 1 });
  });

  it('bins are [k w, (k + 1) w): 0 counts in bin 0, the top edge in the last bin, doses below 0 or above the top are not counted', () => {
    const doses = [-0.5, 0, 5, 9.99, 10, 10.000001, Number.NaN, 0.999999];
    const p: DosePlaneInput = { values: doses, rows: 1, columns: doses.length, transposed: false, factorX: 1, factorY: 1 };
    const target = emptyTarget(10);
    expect(doseHistogram(p, fullMask(doses.length, 1), binning(10), target)).toBe(5);
    expect(nonzero(target.counts)).toEqual({ 0: 2, 5: 1, 9: 2 });
  });

  it('with wider bins the top edge is binCount x width', () => {
    // 5 bins of 2 cGy: top = 10.
    const doses = [10, 9, 10.5, 2, 1.999, 4.5];
    const p: DosePlaneInput = { values: doses, rows: 1, columns: doses.length, transposed: false, factorX: 1, factorY: 1 };
    const target = emptyTarget(5);
    expect(doseHistogram(p, fullMask(doses.length, 1), binning(5, 2), target)).toBe(5);
    expect(nonzero(target.counts)).toEqual({ 4: 2, 1: 1, 0: 1, 2: 1 });
  });

  it('a transposed plane runs lattice x along its rows', () => {
    // rows 2, columns 3; lattice x = row, lattice y = column. Stored (row r, column c) = 10 r + c + 0.5.
    const p: DosePlaneInput = { values: [0.5, 1.5, 2.5, 10.5, 11.5, 12.5], rows: 2, columns: 3, transposed: true, factorX: 1, factorY: 1 };
    // Lattice 2 (x) by 3 (y); inside: (x1, y0) and (x0, y2).
    const mask = maskOf(0, 3, 0, 2, [0, 1, 0, 0, 1, 0]);
    const target = emptyTarget(20);
    expect(doseHistogram(p, mask, binning(20), target)).toBe(2);
    expect(nonzero(target.counts)).toEqual({ 10: 1, 2: 1 });
  });
});

describe('dose-histogram kernel, supersampled point samples', () => {
  // A bilinear dose in voxel indices is reproduced exactly by bilinear interpolation; 0.25 offsets
  // keep every sample's dose away from a bin edge.
  const g = (x: number, y: number) => 0.25 + 4 * x + 20 * y + 2 * x * y;

  function expectedCounts(nx: number, ny: number, fx: number, fy: number, mask: LayerMask, binCount: number): Float64Array {
    const out = new Float64Array(binCount);
    const width = mask.colEnd - mask.colStart;
    for (let j = mask.rowStart; j < mask.rowEnd; j += 1) {
      for (let i = mask.colStart; i < mask.colEnd; i += 1) {
        if (!mask.inside[(j - mask.rowStart) * width + (i - mask.colStart)]) continue;
        const d = g(voxelIndex(i, fx, nx), voxelIndex(j, fy, ny));
        // The sample's dose must not sit on a bin edge for floor() to be unambiguous.
        expect(Math.abs(d - Math.round(d))).toBeGreaterThan(1e-6);
        out[Math.floor(d)] += 1;
      }
    }
    return out;
  }

  for (const transposed of [false, true]) {
    for (const [fx, fy] of [
      [3, 2],
      [3, 1],
      [1, 3],
      [2, 4],
    ] as const) {
      it(`${transposed ? 'transposed ' : ''}3 x 2 voxels at ${fx} x ${fy} samples per voxel: the dose at (i + 0.5) / f - 0.5, clamped`, () => {
        const nx = 3;
        const ny = 2;
        const { values, rows, columns } = planeValues(nx, ny, transposed, g);
        const plane: DosePlaneInput = { values, rows, columns, transposed, factorX: fx, factorY: fy };
        const binCount = 40;
        const full = fullMask(nx * fx, ny * fy);
        const target = emptyTarget(binCount);
        expect(doseHistogram(plane, full, binning(binCount), target)).toBe(nx * fx * ny * fy);
        expect(Array.from(target.counts)).toEqual(Array.from(expectedCounts(nx, ny, fx, fy, full, binCount)));
        // A window away from the lattice origin, with holes.
        const inside = Array.from({ length: (nx * fx - 1) * (ny * fy - 1) }, (_, k) => (k % 3 === 1 ? 0 : 1));
        const window = maskOf(1, ny * fy, 1, nx * fx, inside);
        const part = emptyTarget(binCount);
        expect(doseHistogram(plane, window, binning(binCount), part)).toBe(window.count);
        expect(Array.from(part.counts)).toEqual(Array.from(expectedCounts(nx, ny, fx, fy, window, binCount)));
      });
    }
  }

  it('a plane one voxel wide is constant across it and interpolated along the other axis', () => {
    // 1 column x 3 rows, stored 0.25 + 10 r; 3 x 3 samples per voxel.
    const plane: DosePlaneInput = { values: [0.25, 10.25, 20.25], rows: 3, columns: 1, transposed: false, factorX: 3, factorY: 3 };
    const target = emptyTarget(30);
    expect(doseHistogram(plane, fullMask(3, 9), binning(30), target)).toBe(27);
    // v = (j + 0.5) / 3 - 0.5 clamped to [0, 2]: 0, 0, 1/3, 2/3, 1, 4/3, 5/3, 2, 2; dose 0.25 + 10 v.
    expect(nonzero(target.counts)).toEqual({ 0: 6, 3: 3, 6: 3, 10: 3, 13: 3, 16: 3, 20: 6 });
  });

  it('a plane one voxel high likewise', () => {
    const plane: DosePlaneInput = { values: [0.25, 10.25, 20.25], rows: 1, columns: 3, transposed: false, factorX: 3, factorY: 2 };
    const target = emptyTarget(30);
    expect(doseHistogram(plane, fullMask(9, 2), binning(30), target)).toBe(18);
    expect(nonzero(target.counts)).toEqual({ 0: 4, 3: 2, 6: 2, 10: 2, 13: 2, 16: 2, 20: 4 });
  });
});

/** One spread sample's expected [lo, hi] in bins for a dose given by closed forms. */
interface SpreadField {
  /** Dose of the first frame and of the second at lattice-axis voxel coordinates (x, y), stored units. */
  readonly a: (x: number, y: number) => number;
  readonly b: (x: number, y: number) => number;
  /** Their partial derivatives in voxel units. */
  readonly ax: (x: number, y: number) => number;
  readonly ay: (x: number, y: number) => number;
  readonly bx: (x: number, y: number) => number;
  readonly by: (x: number, y: number) => number;
}

function spreadPlane(field: SpreadField, nx: number, ny: number, transposed: boolean, fx: number, fy: number, spread: { fraction: number; frameGapMm: number; voxelMm: [number, number]; cellMm: [number, number, number] }): DosePlaneInput {
  const first = planeValues(nx, ny, transposed, field.a);
  const second = planeValues(nx, ny, transposed, field.b);
  return { values: first.values, rows: first.rows, columns: first.columns, transposed, factorX: fx, factorY: fy, spread: { ...spread, second: second.values } };
}

function expectedIntervals(field: SpreadField, plane: DosePlaneInput, nx: number, ny: number, toBins: number, mask = fullMask(nx * plane.factorX, ny * plane.factorY)): [number, number][] {
  const s = plane.spread!;
  const f = s.fraction;
  const out: [number, number][] = [];
  const width = mask.colEnd - mask.colStart;
  for (let j = mask.rowStart; j < mask.rowEnd; j += 1) {
    for (let i = mask.colStart; i < mask.colEnd; i += 1) {
      if (!mask.inside[(j - mask.rowStart) * width + (i - mask.colStart)]) continue;
      const x = voxelIndex(i, plane.factorX, nx);
      const y = voxelIndex(j, plane.factorY, ny);
      const d = field.a(x, y) + f * (field.b(x, y) - field.a(x, y));
      const gx = nx > 1 ? (field.ax(x, y) + f * (field.bx(x, y) - field.ax(x, y))) / s.voxelMm[0] : 0;
      const gy = ny > 1 ? (field.ay(x, y) + f * (field.by(x, y) - field.ay(x, y))) / s.voxelMm[1] : 0;
      const gz = s.frameGapMm > 0 ? (field.b(x, y) - field.a(x, y)) / s.frameGapMm : 0;
      const half = 0.5 * Math.sqrt((gx * s.cellMm[0]) ** 2 + (gy * s.cellMm[1]) ** 2 + (gz * s.cellMm[2]) ** 2) * toBins;
      out.push([d * toBins - half, d * toBins + half]);
    }
  }
  return out;
}

describe('dose-histogram kernel, spread samples (precise)', () => {
  /** Frame case: both frames the same, no z gap. */
  const flat = (values: number[], voxelX: number, cellX: number): DosePlaneInput => ({
    values,
    rows: 1,
    columns: values.length,
    transposed: false,
    factorX: 1,
    factorY: 1,
    spread: { second: values, fraction: 0, frameGapMm: 0, voxelMm: [voxelX, 7], cellMm: [cellX, 7, 3] },
  });

  it('two voxels 20 cGy apart 2 mm: each sample spreads over 20 cGy around its dose; together a uniform 0..40 cGy', () => {
    // Gradient 10 cGy/mm x 2 mm cell: half-width 10 cGy. [0, 20] and [20, 40].
    const target = emptyTarget(50);
    expect(doseHistogram(flat([10, 30], 2, 2), fullMask(2, 1), binning(50), target)).toBe(2);
    const mass = spreadCounts(target);
    expectMass(mass, Array.from({ length: 50 }, (_, b) => (b < 40 ? 0.05 : 0)));
    expect(sum(target.counts)).toBe(0);
    expect(target.minCGy).toBe(10);
    expect(target.maxCGy).toBe(30);
  });

  it('a sample whose interval ends inside bins puts the partial bins at their share', () => {
    // Gradient 2.5 per mm x 2 mm: half-width 2.5. Sample 0 at 10.25: [7.75, 12.75].
    const target = emptyTarget(20);
    expect(doseHistogram(flat([10.25, 12.75], 1, 2), maskOf(0, 1, 0, 2, [1, 0]), binning(20), target)).toBe(1);
    const expected = new Array<number>(20).fill(0);
    expected[7] = 0.05;
    for (let b = 8; b <= 11; b += 1) expected[b] = 0.2;
    expected[12] = 0.15;
    expectMass(spreadCounts(target), expected);
    // Sample 1 at 12.75: [10.25, 15.25].
    const other = emptyTarget(20);
    doseHistogram(flat([10.25, 12.75], 1, 2), maskOf(0, 1, 0, 2, [0, 1]), binning(20), other);
    const expected1 = new Array<number>(20).fill(0);
    expected1[10] = 0.15;
    for (let b = 11; b <= 14; b += 1) expected1[b] = 0.2;
    expected1[15] = 0.05;
    expectMass(spreadCounts(other), expected1);
  });

  it('the half-width is half the norm of the gradient x cell in x, y and z (3, 4, 12: 13)', () => {
    // Frames 14 + 3x + 4y and 26 + 3x + 4y, half way (fraction 0.5), 1 mm apart: dose 20 + 3x + 4y,
    // gradient (3, 4, 12) per mm, 1 mm cells: half-width 6.5.
    const plane: DosePlaneInput = {
      values: [14, 17, 18, 21],
      rows: 2,
      columns: 2,
      transposed: false,
      factorX: 1,
      factorY: 1,
      spread: { second: [26, 29, 30, 33], fraction: 0.5, frameGapMm: 1, voxelMm: [1, 1], cellMm: [1, 1, 1] },
    };
    const target = emptyTarget(40);
    expect(doseHistogram(plane, maskOf(0, 2, 0, 2, [1, 0, 0, 0]), binning(40), target)).toBe(1);
    const expected = new Array<number>(40).fill(0);
    expected[13] = 0.5 / 13;
    for (let b = 14; b <= 25; b += 1) expected[b] = 1 / 13;
    expected[26] = 0.5 / 13;
    expectMass(spreadCounts(target), expected);
    expect(target.minCGy).toBe(20);
    // All four: doses 20, 23, 24, 27, each over [d - 6.5, d + 6.5].
    const all = emptyTarget(40);
    expect(doseHistogram(plane, fullMask(2, 2), binning(40), all)).toBe(4);
    expectMass(
      spreadCounts(all),
      uniformMass(
        [20, 23, 24, 27].map((d) => [d - 6.5, d + 6.5] as const),
        40,
      ),
    );
    expect([all.minCGy, all.maxCGy]).toEqual([20, 27]);
  });

  it('scaling, units and bin width set the spread in bins; the extremes are in cGy', () => {
    // Stored 10 and 30, scaling 0.02 Gy, GY (x100): 20 and 60 cGy, 2 mm apart (20 cGy/mm); 1 mm
    // cells: half-width 10 cGy. In 0.5 cGy bins: [10, 30] cGy = bins [20, 60), [50, 70] cGy = bins [100, 140).
    const target = emptyTarget(160);
    expect(doseHistogram(flat([10, 30], 2, 1), fullMask(2, 1), binning(160, 0.5, 0.02, 100), target)).toBe(2);
    expectMass(
      spreadCounts(target),
      Array.from({ length: 160 }, (_, b) => ((b >= 20 && b < 60) || (b >= 100 && b < 140) ? 1 / 40 : 0)),
    );
    expect(target.minCGy).toBeCloseTo(20, 12);
    expect(target.maxCGy).toBeCloseTo(60, 12);
  });

  it('cells partly below 0 or above the top put their whole unit mass in the binned range; cells beyond it are not counted', () => {
    // Gradient 10 per mm, 1 mm cells: half-width 5. Doses -5 and 5: [-10, 0] touches 0 (a point in
    // bin 0), [0, 10] spreads over bins 0..9.
    const low = emptyTarget(10);
    expect(doseHistogram(flat([-5, 5], 1, 1), fullMask(2, 1), binning(10), low)).toBe(2);
    expect(nonzero(low.counts)).toEqual({ 0: 1 });
    expectMass(spreadCounts(low), [1.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
    expect([low.minCGy, low.maxCGy]).toEqual([-5, 5]);

    // Doses 2 and 12 on 10 bins: [-3, 7] clipped to [0, 7]; [7, 17] clipped to [7, 10].
    const both = emptyTarget(10);
    expect(doseHistogram(flat([2, 12], 1, 1), fullMask(2, 1), binning(10), both)).toBe(2);
    expectMass(spreadCounts(both), [1 / 7, 1 / 7, 1 / 7, 1 / 7, 1 / 7, 1 / 7, 1 / 7, 1 / 3, 1 / 3, 1 / 3]);

    // Doses 5 and 15: [0, 10] spread, [10, 20] touches the top (a point in the last bin).
    const top = emptyTarget(10);
    expect(doseHistogram(flat([5, 15], 1, 1), fullMask(2, 1), binning(10), top)).toBe(2);
    expect(nonzero(top.counts)).toEqual({ 9: 1 });
    expectMass(spreadCounts(top), [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1.1]);
    expect([top.minCGy, top.maxCGy]).toEqual([5, 15]);

    // Doses 10 and 20: [5, 15] clipped to [5, 10]; [15, 25] is beyond the top and not counted.
    const beyond = emptyTarget(10);
    expect(doseHistogram(flat([10, 20], 1, 1), fullMask(2, 1), binning(10), beyond)).toBe(1);
    expectMass(spreadCounts(beyond), [0, 0, 0, 0, 0, 0.2, 0.2, 0.2, 0.2, 0.2]);
    expect([beyond.minCGy, beyond.maxCGy]).toEqual([10, 10]);

    // Doses -20 and -10: [-25, -15] and [-15, -5], neither counted; the extremes stay unset.
    const none = emptyTarget(10);
    expect(doseHistogram(flat([-20, -10], 1, 1), fullMask(2, 1), binning(10), none)).toBe(0);
    expect(sum(spreadCounts(none))).toBe(0);
    expect([none.minCGy, none.maxCGy]).toEqual([Infinity, -Infinity]);
  });

  it(`cells spanning less than ${MIN_SPREAD_BINS} bins are points; from ${MIN_SPREAD_BINS} on they are ramps`, () => {
    expect(MIN_SPREAD_BINS).toBe(1 / 64);
    // Doses 10.5 and 10.5 + 1/64, 1 mm apart: gradient 1/64 per mm.
    const values = [10.5, 10.5 + 1 / 64];
    // 1 mm cells: exactly 1/64 bin wide, spread.
    const wide = emptyTarget(20);
    expect(doseHistogram(flat(values, 1, 1), fullMask(2, 1), binning(20), wide)).toBe(2);
    expect(sum(wide.counts)).toBe(0);
    expectMass(spreadCounts(wide), Array.from({ length: 20 }, (_, b) => (b === 10 ? 2 : 0)));
    // 0.5 mm cells: 1/128 bin wide, points.
    const narrow = emptyTarget(20);
    expect(doseHistogram(flat(values, 1, 0.5), fullMask(2, 1), binning(20), narrow)).toBe(2);
    expect(nonzero(narrow.counts)).toEqual({ 10: 2 });
    expect(sum(narrow.rampSlope.map(Math.abs))).toBe(0);
    expect(narrow.minCGy).toBe(10.5);
    expect(narrow.maxCGy).toBe(10.5 + 1 / 64);
    // A flat dose: every sample a point in its own bin, and the extremes still tracked.
    const constant = emptyTarget(20);
    expect(doseHistogram(flat([3.75, 3.75, 3.75], 1, 1), fullMask(3, 1), binning(20), constant)).toBe(3);
    expect(nonzero(constant.counts)).toEqual({ 3: 3 });
    expect([constant.minCGy, constant.maxCGy]).toEqual([3.75, 3.75]);
  });

  it('the extremes and the ramps accumulate over calls on one target', () => {
    const target = emptyTarget(80);
    doseHistogram(flat([10, 30], 2, 2), fullMask(2, 1), binning(80), target);
    doseHistogram(flat([50, 70], 2, 2), fullMask(2, 1), binning(80), target);
    doseHistogram(flat([20, 25], 2, 2), fullMask(2, 1), binning(80), target);
    expect([target.minCGy, target.maxCGy]).toEqual([10, 70]);
    // [0, 40] + [40, 80] + [20 +- 2.5] + [25 +- 2.5].
    expectMass(spreadCounts(target), uniformMass([[0, 20], [20, 40], [40, 60], [60, 80], [17.5, 22.5], [22.5, 27.5]], 80));
  });

  it('without a target it counts the same samples and leaves nothing behind', () => {
    expect(doseHistogram(flat([-5, 5, 20], 1, 1), fullMask(3, 1), binning(10), null)).toBe(2);
  });

  it('the frame case (both frames the same, no gap) has no z gradient', () => {
    // 2 x 2 voxels, dose 10 + 6x + 8y, 1 mm voxels and cells: half-width 5 at every sample.
    const values = [10, 16, 18, 24];
    const plane: DosePlaneInput = { values, rows: 2, columns: 2, transposed: false, factorX: 1, factorY: 1, spread: { second: values, fraction: 0, frameGapMm: 0, voxelMm: [1, 1], cellMm: [1, 1, 5] } };
    const target = emptyTarget(40);
    expect(doseHistogram(plane, fullMask(2, 2), binning(40), target)).toBe(4);
    expectMass(
      spreadCounts(target),
      uniformMass(
        [10, 16, 18, 24].map((d) => [d - 5, d + 5] as const),
        40,
      ),
    );
  });

  // Two bilinear frames (cross terms make the gradient vary across the voxel), a fraction between
  // them, non-square voxels and cells, and doses in 0.5 cGy bins from a scaling of 0.02 Gy: every
  // sample's interval from the closed form, the mass from integrating uniform densities.
  const field: SpreadField = {
    a: (x, y) => 40 + 30 * x + 25 * y + 12 * x * y,
    b: (x, y) => 70 + 10 * x + 45 * y - 8 * x * y,
    ax: (_x, y) => 30 + 12 * y,
    ay: (x) => 25 + 12 * x,
    bx: (_x, y) => 10 - 8 * y,
    by: (x) => 45 - 8 * x,
  };
  for (const transposed of [false, true]) {
    for (const [nx, ny, fx, fy] of [
      [3, 2, 3, 2],
      [2, 3, 1, 3],
      [3, 3, 1, 1],
      [1, 3, 3, 3],
      [3, 1, 2, 3],
    ] as const) {
      it(`${transposed ? 'transposed ' : ''}${nx} x ${ny} voxels, ${fx} x ${fy} samples each, between two bilinear frames: the mass of the closed-form intervals`, () => {
        const plane = spreadPlane(field, nx, ny, transposed, fx, fy, { fraction: 0.3, frameGapMm: 2.5, voxelMm: [2, 3], cellMm: [2 / fx, 3 / fy, 1.7] });
        const bins = binning(900, 0.5, 0.02, 100);
        const toBins = 4;
        const intervals = expectedIntervals(field, plane, nx, ny, toBins);
        const target = emptyTarget(bins.binCount);
        expect(doseHistogram(plane, fullMask(nx * fx, ny * fy), bins, target)).toBe(intervals.length);
        const mass = spreadCounts(target);
        expectMass(mass, uniformMass(intervals, bins.binCount), 8);
        expect(sum(mass)).toBeCloseTo(intervals.length, 9);
        const centresCGy = intervals.map(([lo, hi]) => ((lo + hi) / 2) * 0.5);
        expect(target.minCGy).toBeCloseTo(Math.min(...centresCGy), 9);
        expect(target.maxCGy).toBeCloseTo(Math.max(...centresCGy), 9);
      });
    }
  }

  for (const transposed of [false, true]) {
    it(`${transposed ? 'transposed, ' : ''}a mask window away from the lattice origin, with holes: only its inside samples, each with its own dose and gradient`, () => {
      const nx = 3;
      const ny = 3;
      const plane = spreadPlane(field, nx, ny, transposed, 3, 2, { fraction: 0.7, frameGapMm: 3, voxelMm: [2.5, 2], cellMm: [2.5 / 3, 1, 2] });
      // Lattice 9 x 6; window rows 1..4, columns 2..8, every third sample out.
      const inside = Array.from({ length: 4 * 7 }, (_, k) => (k % 3 === 2 ? 0 : 1));
      const mask = maskOf(1, 5, 2, 9, inside);
      const bins = binning(900, 0.5, 0.02, 100);
      const intervals = expectedIntervals(field, plane, nx, ny, 4, mask);
      expect(intervals.length).toBe(mask.count);
      const target = emptyTarget(bins.binCount);
      expect(doseHistogram(plane, mask, bins, target)).toBe(mask.count);
      expectMass(spreadCounts(target), uniformMass(intervals, bins.binCount), 8);
      const centresCGy = intervals.map(([lo, hi]) => ((lo + hi) / 2) * 0.5);
      expect(target.minCGy).toBeCloseTo(Math.min(...centresCGy), 9);
      expect(target.maxCGy).toBeCloseTo(Math.max(...centresCGy), 9);
    });
  }

  it('a range that clips some of the bilinear field: the counted samples and the clipped mass', () => {
    const nx = 3;
    const ny = 2;
    const plane = spreadPlane(field, nx, ny, false, 3, 3, { fraction: 0.6, frameGapMm: 2, voxelMm: [2, 2], cellMm: [2 / 3, 2 / 3, 2] });
    // Doses 0.02 x 100 x stored in 1 cGy bins, 150 bins: the top cuts through the field.
    const bins = binning(150, 1, 0.02, 100);
    const intervals = expectedIntervals(field, plane, nx, ny, 2);
    const kept = intervals.filter(([lo, hi]) => hi >= 0 && lo <= 150);
    expect(kept.length).toBeLessThan(intervals.length);
    expect(kept.some(([, hi]) => hi > 150)).toBe(true);
    const target: HistogramTarget = emptyTarget(150);
    expect(doseHistogram(plane, fullMask(nx * 3, ny * 3), bins, target)).toBe(kept.length);
    expectMass(spreadCounts(target), uniformMass(intervals, 150), 8);
  });
});
