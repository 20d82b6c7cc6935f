// SPDX-License-Identifier: BSD-3-Clause
// dicompyler-core's dose.DoseGrid outputs (test/golden/fixtures/dcc-dose-reference.json) reproduced
// by dosekit's dose module on the CPU fallback. Sums are compared in float64 (as dicompyler-core
// holds them in memory) and as stored (full-range uint32, rounded), and the probe voxels are
// also checked against a per-point trilinear evaluation written here, independent of the
// module's axis tables.
import { beforeAll, describe, expect, it } from 'vitest';
import { resampleDoseGy, sumDoseGy } from '../../src/dose/sum.js';
import { DoseGrid } from '../../src/model/dose-grid.js';
import type { GridGeometry } from '../../src/model/grid-geometry.js';
import { examplePath, goldenFixture } from '../helpers/examples.js';

const ref = goldenFixture('dcc-dose-reference.json').dose;

interface GridStats {
  max: number;
  sum: number;
  sumSq: number;
  nonzero: number;
  argmax: [number, number, number];
}

/** Statistics of a frame-major dose array, argmax found in numpy's (x, y, z) C order as dicompyler-core does. */
function stats(dose: ArrayLike<number>, g: GridGeometry): GridStats {
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  let nonzero = 0;
  let argmax: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < g.columns; c += 1) {
    for (let r = 0; r < g.rows; r += 1) {
      for (let f = 0; f < g.frames; f += 1) {
        const v = dose[(f * g.rows + r) * g.columns + c];
        sum += v;
        sumSq += v * v;
        if (v !== 0) nonzero += 1;
        if (v > max) {
          max = v;
          argmax = [c, r, f];
        }
      }
    }
  }
  return { max, sum, sumSq, nonzero, argmax };
}

function storedGy(grid: DoseGrid): Float64Array {
  return Float64Array.from(grid.pixels, (p) => p * grid.gyPerStoredUnit);
}

/** Dose (Gy) of an HFS grid at a patient point, trilinear, 0 outside [0, n-1] on any axis: written per point, without the module's tables. */
function pointDose(grid: DoseGrid, x: number, y: number, z: number, order: 0 | 1): number {
  const g = grid.geometry;
  const ci = (x - g.originMm[0]) / g.pixelSpacingMm[1];
  const ri = (y - g.originMm[1]) / g.pixelSpacingMm[0];
  const fi = (z - g.frameZMm[0]) / (g.frameZMm[1] - g.frameZMm[0]);
  const inside = (i: number, n: number): boolean => i >= -1e-9 && i <= n - 1 + 1e-9;
  if (!inside(ci, g.columns) || !inside(ri, g.rows) || !inside(fi, g.frames)) return 0;
  const at = (c: number, r: number, f: number): number => grid.doseGyAt(Math.min(c, g.columns - 1), Math.min(r, g.rows - 1), Math.min(f, g.frames - 1));
  if (order === 0) return at(Math.floor(ci + 0.5), Math.floor(ri + 0.5), Math.floor(fi + 0.5));
  const [c0, r0, f0] = [Math.floor(ci), Math.floor(ri), Math.floor(fi)];
  const [tc, tr, tf] = [ci - c0, ri - r0, fi - f0];
  let total = 0;
  for (const [dc, wc] of [[0, 1 - tc], [1, tc]]) {
    for (const [dr, wr] of [[0, 1 - tr], [1, tr]]) {
      for (const [df, wf] of [[0, 1 - tf], [1, tf]]) {
        if (wc * wr * wf > 0) total += wc * wr * wf * at(c0 + dc, r0 + dr, f0 + df);
      }
    }
  }
  return total;
}

/**
 * The reference's respaced grid: the base's pixels on frames 2.5 mm apart from IPP
 * [-230.1, -421.7, -121.9]. dicompyler-core reads its PixelSpacing [2.0, 3.0] as x = 2.0, y = 3.0
 * (swapped: DICOM's PixelSpacing is [row spacing (y), column spacing (x)]), so the grid it
 * actually computed on is the one whose PixelSpacing is [3.0, 2.0] when read correctly.
 */
function respaced(base: DoseGrid, pixelSpacingMm: readonly [number, number]): DoseGrid {
  const frames = base.geometry.frames;
  const frameOffsetsMm = Float64Array.from({ length: frames }, (_, k) => 2.5 * k);
  const geometry: GridGeometry = {
    ...base.geometry,
    originMm: [-230.1, -421.7, -121.9],
    pixelSpacingMm,
    frameOffsetsMm,
    frameZMm: Float64Array.from(frameOffsetsMm, (o) => -121.9 + o),
  };
  return new DoseGrid(geometry, base.pixels, base.doseGridScaling, { ...base.info, sopInstanceUid: '2.25.77', source: 'respaced' });
}

let base: DoseGrid;
let shifted: DoseGrid;
let respacedAsDcc: DoseGrid;

beforeAll(async () => {
  base = await DoseGrid.fromFile(examplePath('rtdose_substitute.dcm'));
  shifted = await DoseGrid.fromFile(examplePath('rtdose_shifted.dcm'));
  respacedAsDcc = respaced(base, [3.0, 2.0]);
});

describe('grid properties', () => {
  it.each([
    ['grid_base', () => base],
    ['grid_shifted', () => shifted],
    ['grid_respaced', () => respacedAsDcc],
  ])('%s: shape, scale, offset, axes, boundary dose', (name, grid) => {
    const g = grid();
    const r = ref[name];
    expect(g.shape).toEqual(r.shape);
    r.scale.forEach((v: number, i: number) => expect(g.scaleMm[i]).toBeCloseTo(v, 12));
    expect(g.offsetMm).toEqual(r.offset);
    const axes = g.axesMm;
    for (const [axis, key] of [[axes.column, 'x_axis_first_last'], [axes.row, 'y_axis_first_last'], [axes.frame, 'z_axis_first_last']] as const) {
      expect(axis[0]).toBeCloseTo(r[key][0], 9);
      expect(axis[axis.length - 1]).toBeCloseTo(r[key][1], 9);
    }
    expect(g.maxBoundaryDoseGy).toBeCloseTo(r.max_boundary_dose, 12);
    expect(g.maxBoundaryRelativeDose).toBeCloseTo(r.max_boundary_relative_dose, 12);
    const s = stats(storedGy(g), g.geometry);
    expect(s.max).toBeCloseTo(r.dose_grid.max, 9);
    expect(Math.abs(s.sum - r.dose_grid.sum)).toBeLessThan(1e-6);
    expect(s.nonzero).toBe(r.dose_grid.nonzero);
    expect(s.argmax).toEqual(r.dose_grid.argmax_index);
  });

  it('is_coincident is exact equality of the voxel centres', () => {
    expect(base.isCoincident(base)).toBe(ref.is_coincident.base_base);
    expect(base.isCoincident(shifted)).toBe(ref.is_coincident.base_shifted);
    expect(base.isCoincident(respacedAsDcc)).toBe(ref.is_coincident.base_respaced);
  });
});

const SUMS = [
  { name: 'sum_coincident_base_plus_base', grids: () => [base, base], order: 1 as const },
  { name: 'sum_interp_base_plus_shifted_order1', grids: () => [base, shifted], order: 1 as const },
  { name: 'sum_interp_shifted_plus_base_order1', grids: () => [shifted, base], order: 1 as const },
  { name: 'sum_interp_base_plus_shifted_order0', grids: () => [base, shifted], order: 0 as const },
  { name: 'sum_interp_base_plus_respaced_order1', grids: () => [base, respacedAsDcc], order: 1 as const },
];

describe('sums (float64, as dicompyler-core holds them)', () => {
  it.each(SUMS)('$name: max, sum, sum of squares, non-zero count, argmax and probes', async ({ name, grids, order }) => {
    const r = ref[name];
    const [a, b] = grids();
    const { dose, coincident } = await sumDoseGy([a, b], { order, backend: 'cpu' });
    expect(coincident[1]).toBe(r.summation_type === 'DIRECT');
    const s = stats(dose, a.geometry);
    expect(Math.abs(s.max - r.dose_grid.max)).toBeLessThan(1e-9);
    expect(Math.abs(s.sum - r.dose_grid.sum)).toBeLessThan(1e-5);
    expect(Math.abs(s.sumSq - r.dose_grid.sum_sq) / r.dose_grid.sum_sq).toBeLessThan(1e-12);
    expect(s.nonzero).toBe(r.dose_grid.nonzero);
    expect(s.argmax).toEqual(r.dose_grid.argmax_index);
    for (const probe of r.probes) {
      const [c, row, f] = probe.ijk;
      const value = dose[(f * a.geometry.rows + row) * a.geometry.columns + c];
      expect(Math.abs(value - probe.value_Gy)).toBeLessThan(1e-9);
      const [x, y, z] = probe.xyz_mm;
      expect(Math.abs(value - (a.doseGyAt(c, row, f) + pointDose(b, x, y, z, order)))).toBeLessThan(1e-9);
    }
  });
});

describe('sums as stored (full-range uint32, rounded)', () => {
  it.each(SUMS)('$name: within half a scaling step of the float64 sum everywhere, max at the top of the range', async ({ name, grids, order }) => {
    const r = ref[name];
    const [a, b] = grids();
    const sum = await a.add(b, { order, backend: 'cpu' });
    const { dose } = await sumDoseGy([a, b], { order, backend: 'cpu' });
    const step = sum.doseGridScaling;
    expect(sum.pixels).toBeInstanceOf(Uint32Array);
    expect(sum.maxStoredValue).toBeGreaterThanOrEqual(0xffffffff - 1);
    let worst = 0;
    for (let i = 0; i < dose.length; i += 1) worst = Math.max(worst, Math.abs(sum.pixels[i] * step - dose[i]));
    expect(worst).toBeLessThanOrEqual(step * 0.5000001);
    expect(Math.abs(sum.maxDoseGy - r.dose_grid.max)).toBeLessThan(1e-5);
    for (const probe of r.probes) {
      const [c, row, f] = probe.ijk;
      expect(Math.abs(sum.doseGyAt(c, row, f) - probe.value_Gy)).toBeLessThan(1e-5);
    }
    // dicompyler-core truncates (uint32(dose / scaling)), so its stored sum is lower by about
    // half a step per non-zero voxel; ours rounds.
    expect(r.pixel_max).toBeGreaterThanOrEqual(0xffffffff - 1);
  });
});

describe('interp_entire_grid and multiply', () => {
  it('interp_entire_grid (shifted onto base): max, sum, non-zero count and argmax', async () => {
    const r = ref.interp_entire_grid_shifted_onto_base;
    const dose = await base.interpEntireGrid(shifted, { backend: 'cpu' });
    expect(dose).toBeInstanceOf(Float32Array);
    const s = stats(dose, base.geometry);
    // Float32 output: within float32 rounding of dicompyler-core's float64 values.
    expect(Math.abs(s.max - r.max)).toBeLessThan(1e-5);
    expect(Math.abs(s.sum - r.sum)).toBeLessThan(1e-4);
    expect(s.nonzero).toBe(r.nonzero);
    expect(s.argmax).toEqual(r.argmax_index);
    const direct = await resampleDoseGy(shifted, base, { backend: 'cpu' });
    expect(direct.every((v, i) => v === dose[i])).toBe(true);
  });

  it('multiply by 2.5', async () => {
    const r = ref['multiply_base_by_2.5'];
    const scaled = await base.multiply(2.5);
    const s = stats(storedGy(scaled), scaled.geometry);
    expect(Math.abs(s.max - r.dose_grid.max)).toBeLessThan(1e-8);
    expect(Math.abs(s.sum - r.dose_grid.sum)).toBeLessThan(1e-4);
    expect(s.nonzero).toBe(r.dose_grid.nonzero);
    expect(s.argmax).toEqual(r.dose_grid.argmax_index);
    for (const probe of r.probes) {
      const [c, row, f] = probe.ijk;
      expect(Math.abs(scaled.doseGyAt(c, row, f) - probe.value_Gy)).toBeLessThan(1e-8);
    }
    expect(scaled.info.summationType).toBe(base.info.summationType);
    expect(scaled.info.sopInstanceUid).not.toBe(base.info.sopInstanceUid);
  });
});

describe('the x/y spacing swap, fixed', () => {
  it('reading PixelSpacing [2.0, 3.0] as DICOM defines it (rows 2 mm apart, columns 3 mm) gives a different, correct sum', async () => {
    const truly = respaced(base, [2.0, 3.0]);
    expect(truly.scaleMm).toEqual([3.0, 2.0, 2.5]);
    const { dose } = await sumDoseGy([base, truly], { backend: 'cpu' });
    const r = ref.sum_interp_base_plus_respaced_order1;
    const s = stats(dose, base.geometry);
    expect(Math.abs(s.sum - r.dose_grid.sum)).toBeGreaterThan(1);
    for (const probe of r.probes) {
      const [c, row, f] = probe.ijk;
      const [x, y, z] = probe.xyz_mm;
      const value = dose[(f * base.geometry.rows + row) * base.geometry.columns + c];
      expect(Math.abs(value - (base.doseGyAt(c, row, f) + pointDose(truly, x, y, z, 1)))).toBeLessThan(1e-9);
    }
  });
});
