// SPDX-License-Identifier: BSD-3-Clause
// Derived ROIs (structure algebra): exact Boolean identities on each algorithm's own samples,
// empty results, ids and errors, and margins against closed forms.
import { describe, expect, it } from 'vitest';
import { type RoiDvh, calculateDvhs } from '../../src/dvh/calculate.js';
import type { RoiExpressionRequest } from '../../src/dvh/roi-algebra.js';
import type { DoseGrid } from '../../src/model/dose-grid.js';
import type { StructureSet } from '../../src/model/structure-set.js';
import { squaredDistance1d } from '../../src/dvh/distance-transform.js';
import { marchingSquares } from '../../src/dvh/marching-squares.js';
import { exampleParser } from '../helpers/examples.js';
import { ORIENTATION_COSINES, type SyntheticPlane, boxRing, circleRing, makeDoseGrid, makeStructureSet } from '../helpers/synthetic.js';

const expr = (name: string, expression: string): RoiExpressionRequest => ({ name, expression });

function volumes(dvhs: readonly RoiDvh[]): Record<string, number> {
  return Object.fromEntries(dvhs.map((d) => [d.name, d.dvh.volume]));
}

/** |a - b| within float64 rounding of sums of a few thousand terms. */
function expectSameVolume(a: number, b: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-11 * Math.max(1, Math.abs(b)));
}

/** A 2 mm grid over x, y in [-30, 30], frames z = -12..12, a dose rising along x and z. */
function synthGrid(): DoseGrid {
  return makeDoseGrid({
    rows: 31,
    columns: 31,
    frames: 13,
    originMm: [-30, -30, -12],
    pixelSpacingMm: [2, 2],
    frameOffsetsMm: Array.from({ length: 13 }, (_, k) => 2 * k),
    orientation: 'HFS',
    scaling: 0.001,
    dose: (x, y, z) => 10 + 0.2 * x + 0.05 * y + 0.1 * z,
  });
}

const planes = (zs: number[], rings: number[][][]): SyntheticPlane[] => zs.map((zMm) => ({ zMm, rings }));
const range = (from: number, to: number, step: number) => Array.from({ length: Math.round((to - from) / step) + 1 }, (_, k) => from + k * step);

/** A: a box on z = -6..6; B: a circle on z = -2..10 overlapping it; R: a box with a hole (even-odd). */
function synthStructures(): StructureSet {
  return makeStructureSet([
    { number: 1, name: 'A', planes: planes(range(-6, 6, 2), [boxRing(-15.3, -9.7, 6.1, 12.2)]) },
    { number: 2, name: 'B', planes: planes(range(-2, 10, 2), [circleRing(5, 3, 11, 90)]) },
    { number: 3, name: 'Ring', planes: range(-4, 4, 2).map((zMm) => ({ zMm, rings: [boxRing(-20, -20, 20, 20), boxRing(-8.5, -7.3, 9.1, 8.2)] })) },
    { number: 4, name: 'Empty', planes: [] },
  ]);
}

describe('structure algebra: exact Boolean identities on the samples', () => {
  const ss = synthStructures();
  const grid = synthGrid();

  it('dicompyler: vol(A|B) + vol(A&B) = vol(A) + vol(B), with the plain ROIs, to float64 rounding', async () => {
    const r = await calculateDvhs(ss, grid, { algorithm: 'dicompyler', backend: 'cpu', rois: ['A', 'B', 'Ring', expr('U', 'A | B'), expr('I', 'A & B'), expr('D', 'A - B'), expr('E', 'B - A'), expr('RU', 'Ring | A'), expr('RI', 'Ring & A')] });
    expect(r.errors).toEqual([]);
    const v = volumes(r.dvhs);
    expectSameVolume(v.U + v.I, v.A + v.B);
    expectSameVolume(v.D + v.E + v.I, v.U);
    // The sum above is the same with A - B and B - A swapped; these are not. A and B differ in
    // volume, so vol(A - B) = vol(A) - vol(A & B) and vol(B - A) = vol(B) - vol(A & B) differ.
    expect(Math.abs(v.A - v.B)).toBeGreaterThan(0.1 * Math.max(v.A, v.B));
    expectSameVolume(v.D, v.A - v.I);
    expectSameVolume(v.E, v.B - v.I);
    expectSameVolume(v.RU + v.RI, v.Ring + v.A);
    // Partial overlap, so the identities are not trivial.
    expect(v.I).toBeGreaterThan(0.1 * Math.min(v.A, v.B));
    expect(v.I).toBeLessThan(0.9 * Math.min(v.A, v.B));
    expect(v.RI).toBeGreaterThan(0);
    expect(v.RI).toBeLessThan(Math.min(v.A, v.Ring));
  });

  it('dicompyler: A & B never exceeds either, A | B is never below either; a single ROI as an expression is that ROI', async () => {
    const r = await calculateDvhs(ss, grid, { algorithm: 'dicompyler', backend: 'cpu', rois: ['A', 'B', expr('U', 'A | B'), expr('I', 'A & B'), expr('A2', 'A'), expr('A3', '1 | Empty')] });
    const v = volumes(r.dvhs);
    expect(v.I).toBeLessThanOrEqual(Math.min(v.A, v.B));
    expect(v.U).toBeGreaterThanOrEqual(Math.max(v.A, v.B));
    const a = r.dvhs.find((d) => d.name === 'A')!.dvh;
    for (const name of ['A2', 'A3']) {
      const d = r.dvhs.find((x) => x.name === name)!.dvh;
      expect(Array.from(d.counts)).toEqual(Array.from(a.counts));
    }
  });

  it('precise: the identities hold exactly among derived ROIs (same operands: same samples), and A & B never exceeds either', async () => {
    // Automatic supersampling depends only on the operands, so these share one lattice.
    const r = await calculateDvhs(ss, grid, { algorithm: 'precise', backend: 'cpu', rois: ['A', 'B', expr('U', 'A | B'), expr('I', 'A & B'), expr('D', 'A - B'), expr('E', 'B - A')] });
    expect(r.errors).toEqual([]);
    const v = volumes(r.dvhs);
    expectSameVolume(v.D + v.E + v.I, v.U);
    expectSameVolume(v.D + v.I + v.E + v.I, v.U + v.I);
    expect(v.I).toBeLessThanOrEqual(Math.min(v.D + v.I, v.E + v.I));
    // The plain ROIs' volumes are the prism model's exact ones; the derived ones are counted on
    // the supersampled lattice (here 0.4 mm): they agree to its sampling error, up to a sample
    // pitch in each width for a box whose edges all sit at one phase of the lattice.
    expect(Math.abs(v.D + v.I - v.A) / v.A).toBeLessThan(0.03);
    expect(Math.abs(v.E + v.I - v.B) / v.B).toBeLessThan(0.03);
    // A and B differ in volume by far more than that, so the two checks above tell A - B from B - A.
    expect(Math.abs(v.A - v.B)).toBeGreaterThan(0.1 * Math.max(v.A, v.B));
  });

  it('precise, fixed supersampling: vol(A|B) + vol(A&B) = vol(A) + vol(B) with A and B as expressions', async () => {
    // (A derived ROI may not take an ROI's name: 'A only' is the expression A.)
    const r = await calculateDvhs(ss, grid, { algorithm: 'precise', backend: 'cpu', supersampling: 3, rois: [expr('U', 'A | B'), expr('I', 'A & B'), expr('A only', 'A'), expr('B only', 'B')] });
    const v = volumes(r.dvhs);
    expectSameVolume(v.U + v.I, v['A only'] + v['B only']);
    expect(v.I).toBeLessThanOrEqual(Math.min(v['A only'], v['B only']));
  });

  it('the example: Breast & Tumor Bed (nested) and Heart & Lt Lung (touching), both algorithms', async () => {
    const ex = exampleParser('rtss.dcm').toStructureSet();
    const dose = exampleParser('rtdose_substitute.dcm').toDoseGrid();
    const pairs = [
      ['Breast', '"Tumor Bed"'],
      ['Heart', '"Lt Lung"'],
      ['Breast', 'Nodes'],
    ];
    const rois = pairs.flatMap(([a, b], k) => [expr(`U${k}`, `${a} | ${b}`), expr(`I${k}`, `${a} & ${b}`), expr(`A${k}`, `${a} - (${b} - ${b})`), expr(`B${k}`, `${b} - (${a} - ${a})`)]);
    for (const algorithm of ['dicompyler', 'precise'] as const) {
      const r = await calculateDvhs(ex, dose, { algorithm, backend: 'cpu', rois: ['Breast', 'Tumor Bed', 'Heart', 'Lt Lung', 'Nodes', ...rois] });
      expect(r.errors).toEqual([]);
      const v = volumes(r.dvhs);
      pairs.forEach((_, k) => {
        expectSameVolume(v[`U${k}`] + v[`I${k}`], v[`A${k}`] + v[`B${k}`]);
        expect(v[`I${k}`]).toBeLessThanOrEqual(Math.min(v[`A${k}`], v[`B${k}`]));
        expect(v[`I${k}`]).toBeGreaterThan(0);
      });
      if (algorithm === 'dicompyler') {
        // On the voxel centres a derived ROI's samples are the plain ROIs' samples.
        expectSameVolume(v.A0, v.Breast);
        expectSameVolume(v.B1, v['Lt Lung']);
        expectSameVolume(v.U0 + v.I0, v.Breast + v['Tumor Bed']);
        expectSameVolume(v.U1 + v.I1, v.Heart + v['Lt Lung']);
        expectSameVolume(v.I0, v['Tumor Bed']);
      }
    }
  });
});

describe('structure algebra on every grid orientation', () => {
  it.each(['HFS', 'HFP', 'FFS', 'FFP', 'HFDL', 'FFDR'] as const)('%s: a derived ROI reproduces the plain ROI\'s samples (decreasing and swapped lattice axes)', async (orientation) => {
    const [a, b, , d, e] = ORIENTATION_COSINES[orientation];
    const start = (u: number) => (u > 0 ? -30 : 30);
    const grid = makeDoseGrid({
      rows: 31,
      columns: 31,
      frames: 13,
      originMm: [start(a + d), start(b + e), ['HFS', 'HFP', 'HFDL'].includes(orientation) ? -12 : 12],
      pixelSpacingMm: [2, 2],
      frameOffsetsMm: Array.from({ length: 13 }, (_, k) => 2 * k),
      orientation,
      scaling: 0.001,
      dose: (x, y, z) => 10 + 0.2 * x + 0.05 * y + 0.1 * z,
    });
    const ss = synthStructures();
    const r = await calculateDvhs(ss, grid, { algorithm: 'dicompyler', backend: 'cpu', rois: ['Ring', 'A', 'B', expr('R2', 'Ring'), expr('U', 'A | B'), expr('I', 'A & B')] });
    expect(r.errors).toEqual([]);
    const dvh = (name: string) => r.dvhs.find((x) => x.name === name)!.dvh;
    expect(Array.from(dvh('R2').counts)).toEqual(Array.from(dvh('Ring').counts));
    expectSameVolume(dvh('U').volume + dvh('I').volume, dvh('A').volume + dvh('B').volume);
  });
});

describe('structure algebra: ids, names and errors', () => {
  const ss = synthStructures();
  const grid = synthGrid();

  it('derived ROIs follow the plain ones, with ids -1, -2, ... in request order, their name and expression', async () => {
    const r = await calculateDvhs(ss, grid, { algorithm: 'dicompyler', backend: 'cpu', rois: [expr('First', 'a | b'), 'B', expr('Second', '"A" & 2')] });
    expect(r.dvhs.map((d) => [d.roi, d.name, d.expression])).toEqual([
      [2, 'B', undefined],
      [-1, 'First', 'a | b'],
      [-2, 'Second', '"A" & 2'],
    ]);
    expect(r.dvhs[1].dvh.name).toBe('First');
  });

  it('A - A is empty: E_EMPTY_ROI in errors (both algorithms); the others are unaffected', async () => {
    for (const algorithm of ['dicompyler', 'precise'] as const) {
      const r = await calculateDvhs(ss, grid, { algorithm, backend: 'cpu', rois: ['A', expr('Nothing', 'A - A'), expr('None', 'Empty & A'), expr('Disjoint', 'Ring & expand(Empty, 2)')] });
      expect(r.dvhs.map((d) => d.name)).toEqual(['A']);
      expect(r.errors.map((e) => [e.roi, e.name, e.code])).toEqual([
        [-1, 'Nothing', 'E_EMPTY_ROI'],
        [-2, 'None', 'E_EMPTY_ROI'],
        [-3, 'Disjoint', 'E_EMPTY_ROI'],
      ]);
    }
  });

  it('an unknown ROI is E_ROI_NOT_FOUND naming it and its column; a syntax error fails the call before any file is read', async () => {
    const r = await calculateDvhs(ss, grid, { backend: 'cpu', rois: [expr('X', 'A | "Parotid L"'), expr('Y', 'A | Lung-L'), expr('Z', '7 & A')] });
    expect(r.errors.map((e) => e.code)).toEqual(['E_ROI_NOT_FOUND', 'E_ROI_NOT_FOUND', 'E_ROI_NOT_FOUND']);
    expect(r.errors[0].message).toMatch(/no ROI "Parotid L" \(column 5\)/);
    expect(r.errors[1].message).toMatch(/write A - B with spaces/);
    expect(r.errors[2].message).toMatch(/no ROI number 7 \(column 1\)/);
    await expect(calculateDvhs('/nonexistent/rtss.dcm', '/nonexistent/rtdose.dcm', { rois: [expr('X', 'A |')] })).rejects.toMatchObject({ code: 'E_BAD_ROI_EXPRESSION', details: { column: 4 } });
    await expect(calculateDvhs(ss, grid, { rois: [{ name: '', expression: 'A' }] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });
});

/**
 * Circle contours of a sphere of radius R (mm) on planes `spacing` apart (z = 0 among them),
 * centred off the voxel lattice in-plane (so that voxel centres do not bunch at equal radii).
 */
function sphere(radiusMm: number, spacingMm: number): StructureSet {
  const zs = range(-Math.floor(radiusMm / spacingMm) * spacingMm, Math.floor(radiusMm / spacingMm) * spacingMm, spacingMm).filter((z) => Math.abs(z) < radiusMm);
  const [cx, cy] = [0.37 * spacingMm, -0.29 * spacingMm];
  return makeStructureSet([{ number: 1, name: 'S', planes: zs.map((zMm) => ({ zMm, rings: [circleRing(cx, cy, Math.sqrt(radiusMm ** 2 - zMm ** 2), 180)] })) }]);
}

/** A uniform dose grid of `spacing` mm voxels centred on the origin, reaching `halfMm` each way. */
function cubeGrid(spacingMm: number, halfMm: number): DoseGrid {
  const n = 2 * Math.ceil(halfMm / spacingMm) + 1;
  const origin = -((n - 1) / 2) * spacingMm;
  return makeDoseGrid({
    rows: n,
    columns: n,
    frames: n,
    originMm: [origin, origin, origin],
    pixelSpacingMm: [spacingMm, spacingMm],
    frameOffsetsMm: Array.from({ length: n }, (_, k) => k * spacingMm),
    orientation: 'HFS',
    scaling: 0.001,
    dose: (x, y, z) => 20 + 0.1 * (x + y + z),
  });
}

describe('margin building blocks', () => {
  it('the lower-envelope pass equals the brute-force minimum (finite and infinite samples)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 50; trial += 1) {
      const n = 1 + Math.floor(random() * 40);
      const f = Float64Array.from({ length: n }, () => (random() < 0.6 ? Infinity : Math.floor(random() * 50)));
      const out = new Float64Array(n);
      squaredDistance1d(f, n, out, new Int32Array(n), new Float64Array(n + 1));
      for (let q = 0; q < n; q += 1) {
        let best = Infinity;
        for (let p = 0; p < n; p += 1) best = Math.min(best, (q - p) ** 2 + f[p]);
        expect(out[q]).toBe(best);
      }
    }
  });

  it('marching squares: a disc and an annulus as rings whose even-odd area is the region\'s', () => {
    const xs = Float64Array.from({ length: 121 }, (_, i) => -30 + i * 0.5);
    const field = (f: (r: number) => number) => Float64Array.from({ length: 121 * 121 }, (_, c) => f(Math.hypot(xs[c % 121] - 0.3, xs[Math.floor(c / 121)] + 0.2)));
    const area = (rings: Float64Array[]) => Math.abs(rings.reduce((sum, ring) => {
      let twice = 0;
      for (let k = 0, n = ring.length / 2; k < n; k += 1) twice += ring[2 * k] * ring[(2 * ((k + 1) % n)) + 1] - ring[(2 * ((k + 1) % n))] * ring[2 * k + 1];
      return sum + twice / 2;
    }, 0));
    const disc = marchingSquares(field((r) => r - 20), xs, xs);
    expect(disc.length).toBe(1);
    expect(Math.abs(area(disc) / (Math.PI * 400) - 1)).toBeLessThan(1e-3);
    const annulus = marchingSquares(field((r) => Math.abs(r - 15) - 5), xs, xs);
    expect(annulus.length).toBe(2);
    // The two rings run in opposite senses, so their signed areas add to the annulus's.
    expect(Math.abs(area(annulus) / (Math.PI * (400 - 100)) - 1)).toBeLessThan(2e-3);
  });
});

describe('margins', () => {
  const R = 25;
  const M = 6;
  for (const spacing of [1, 2, 3]) {
    it(`a sphere of radius ${R} mm expanded and shrunk by ${M} mm: 4/3 pi (R +- m)^3 within 1 %, ${spacing} mm grid and planes`, async () => {
      const grid = cubeGrid(spacing, R + M + 2 * spacing);
      const exact = (r: number) => ((4 / 3) * Math.PI * r ** 3) / 1000;
      const rois = [expr('Grown', `expand(S, ${M})`), expr('Shrunk', `shrink(S, ${M})`)];
      // precise: supersampled, so the volume is the margin's, to the sampling error.
      const precise = volumes((await calculateDvhs(sphere(R, spacing), grid, { algorithm: 'precise', backend: 'cpu', rois })).dvhs);
      const grown = precise.Grown / exact(R + M) - 1;
      const shrunk = precise.Shrunk / exact(R - M) - 1;
      // dicompyler: voxel centres, whose count scatters by a few % about a sphere's volume on
      // these grids; against spheres of radius R +- m contoured directly on the same planes.
      const counted = async (s: StructureSet, roi: string | RoiExpressionRequest) => (await calculateDvhs(s, grid, { algorithm: 'dicompyler', backend: 'cpu', rois: [roi] })).dvhs[0].dvh.volume;
      const grownVoxels = (await counted(sphere(R, spacing), rois[0])) / (await counted(sphere(R + M, spacing), 'S')) - 1;
      const shrunkVoxels = (await counted(sphere(R, spacing), rois[1])) / (await counted(sphere(R - M, spacing), 'S')) - 1;
      console.log(`${spacing} mm: precise vs 4/3 pi (R +- m)^3: expand ${(100 * grown).toFixed(3)} %, shrink ${(100 * shrunk).toFixed(3)} %; dicompyler vs spheres contoured at R +- m: ${(100 * grownVoxels).toFixed(3)} %, ${(100 * shrunkVoxels).toFixed(3)} %`);
      expect(Math.abs(grown)).toBeLessThan(0.01);
      expect(Math.abs(shrunk)).toBeLessThan(0.01);
      expect(Math.abs(grownVoxels)).toBeLessThan(0.01);
      expect(Math.abs(shrunkVoxels)).toBeLessThan(0.01);
    });
  }

  // The box [-9, 9] x [-7, 7] on planes z = -6..6 (slabs to +-7) on a 2 mm grid: every wall lies
  // half-way between voxel centres. Euclidean expansion rounds the box's edges and corners, so
  // the expected voxels are exactly those whose centre lies within m of the (slab-model) box;
  // with m = 4 mm and centres 1, 3, 5 mm beyond the walls, every centre is at least 0.24 mm from
  // the margin surface (distances^2 are sums of odd squares: 11 and 18 bracket 16), far more than
  // the construction's error (micrometres), so the count must match exactly.
  const boxSs = makeStructureSet([{ number: 1, name: 'Box', planes: planes(range(-6, 6, 2), [boxRing(-9, -7, 9, 7)]) }]);
  const boxGrid = cubeGrid(2, 20);

  it('a box expanded by 4 mm (twice the voxel spacing): exactly the voxels within 4 mm of it (dicompyler)', async () => {
    const r = await calculateDvhs(boxSs, boxGrid, { algorithm: 'dicompyler', backend: 'cpu', rois: ['Box', expr('Grown', 'expand(Box, 4)'), expr('Wider', 'expand(Box, [4, 0, 2])')] });
    expect(r.errors).toEqual([]);
    const voxelCm3 = (2 * 2 * 2) / 1000;
    const count = (inside: (x: number, y: number, z: number) => boolean) => {
      let n = 0;
      for (let z = -20; z <= 20; z += 2) for (let y = -20; y <= 20; y += 2) for (let x = -20; x <= 20; x += 2) if (inside(x, y, z)) n += 1;
      return n;
    };
    const beyond = (v: number, half: number) => Math.max(0, Math.abs(v) - half);
    const grown = count((x, y, z) => beyond(x, 9) ** 2 + beyond(y, 7) ** 2 + beyond(z, 7) ** 2 <= 16);
    const wider = count((x, y, z) => beyond(y, 7) === 0 && (beyond(x, 9) / 4) ** 2 + (beyond(z, 7) / 2) ** 2 <= 1);
    const v = volumes(r.dvhs);
    expect(Math.round(v.Box / voxelCm3)).toBe(9 * 7 * 7);
    expect(v.Grown / voxelCm3).toBeCloseTo(grown, 6);
    expect(v.Wider / voxelCm3).toBeCloseTo(wider, 6);
    // Without rounding the corners it would be (9+4)(7+4)(7+4) voxels.
    expect(grown).toBeLessThan(13 * 11 * 11);
  });

  it('a margin of a difference grows that difference, not its reverse: expand(Big - Small) = expand(Big), expand(Small - Big) = expand(Small)', async () => {
    // Two disjoint boxes 16 mm apart, so that 4 mm margins do not meet: each difference is the
    // first box, whole, and its margin must be that box's margin, voxel for voxel.
    const ss = makeStructureSet([
      { number: 1, name: 'Big', planes: planes(range(-6, 6, 2), [boxRing(-30, -7, -6, 7)]) },
      { number: 2, name: 'Small', planes: planes(range(-2, 2, 2), [boxRing(10, -5, 18, 5)]) },
    ]);
    const grid = cubeGrid(2, 40);
    const r = await calculateDvhs(ss, grid, {
      algorithm: 'dicompyler',
      backend: 'cpu',
      rois: [expr('Big+', 'expand(Big, 4)'), expr('Small+', 'expand(Small, 4)'), expr('(Big-Small)+', 'expand(Big - Small, 4)'), expr('(Small-Big)+', 'expand(Small - Big, 4)')],
    });
    expect(r.errors).toEqual([]);
    const v = volumes(r.dvhs);
    expect(v['Big+']).toBeGreaterThan(2 * v['Small+']);
    expectSameVolume(v['(Big-Small)+'], v['Big+']);
    expectSameVolume(v['(Small-Big)+'], v['Small+']);
  });

  it('a box shrunk by 2 mm is the box 2 mm smaller, on the planes at least 2 mm inside its slabs', async () => {
    const r = await calculateDvhs(boxSs, boxGrid, { algorithm: 'dicompyler', backend: 'cpu', rois: [expr('Shrunk', 'shrink(Box, 2)')] });
    // |x| < 7 (7 centres), |y| < 5 (5 centres), planes z = -4..4 (slab edge 7 - z > 2).
    expect(r.dvhs[0].dvh.volume / 0.008).toBeCloseTo(7 * 5 * 5, 6);
  });
});
