// SPDX-License-Identifier: BSD-3-Clause
// calculateDvhs / getDvh (dicompyler algorithm) on synthetic grids and contours whose results are
// worked out by hand. Every expected number below comes from the arithmetic in its comment.
//
// The standard grid (HFS) used unless a test says otherwise:
//   columns 21 along x: x = -20, -18, ..., 20     (column spacing 2 mm)
//   rows    17 along y: y = -20, -17.5, ..., 20   (row spacing 2.5 mm)
//   frames   5 along z: z = 0, 2, 4, 6, 8         (GridFrameOffsetVector 0, 2, 4, 6, 8)
//   DoseGridScaling 0.001 Gy.
// Sample area = |mean column step| x |mean row step| = 2 x 2.5 = 5 mm^2; with the planes 2 mm
// apart, one voxel is 5 x 2 = 10 mm^3 = 0.01 cm^3.
// Contour edges lie half-way between voxel centres (x edges at odd integers, y edges at
// multiples of 1.25 that are not multiples of 2.5), so no centre lies on an edge.
// Doses are chosen at x.5 cGy: each voxel sits in the middle of its 1 cGy bin, so the bin of a
// dose d cGy is floor(d) and the bin centre equals d (the DVH mean is then the exact voxel mean).
import { describe, expect, it } from 'vitest';
import { calculateDvhs, getDvh, type DvhCalculationResult } from '../../src/dvh/calculate.js';
import type { DvhCalculationOptions } from '../../src/dvh/calculation-options.js';
import type { DVH } from '../../src/dvh/dvh.js';
import type { DoseGrid } from '../../src/model/dose-grid.js';
import { indexToPatientMm } from '../../src/model/grid-geometry.js';
import type { PatientOrientation } from '../../src/model/orientation.js';
import type { StructureSet } from '../../src/model/structure-set.js';
import {
  ALL_ORIENTATIONS,
  type SyntheticPlane,
  boxRing,
  circleRing,
  makeDoseGrid,
  makeStructureSet,
  orientedLayout,
  standardGrid,
} from '../helpers/synthetic.js';

const NOTE_FULL = 'Dose grid does not encompass every contour. Volume calculated for all contours.';
const NOTE_WITHIN = 'Dose grid does not encompass every contour. Volume calculated within dose grid.';

type DoseFn = (x: number, y: number, z: number) => number;

/** 2.505 Gy everywhere: stored round(2.505 / 0.001) = 2505; 250.5 cGy, bin 250. */
const uniform: DoseFn = () => 2.505;
/** 300.5 + 10 x cGy: over the grid 100.5 (x = -20) .. 500.5 (x = 20) cGy. */
const gradientX: DoseFn = (x) => (300.5 + 10 * x) / 100;

/** The box used by most tests: x edges -5..3 (centres -4, -2, 0, 2), y edges -3.75..3.75 (centres -2.5, 0, 2.5): 4 x 3 = 12 centres. */
const BOX = boxRing(-5, -3.75, 3, 3.75);

function planesOf(zs: readonly number[], rings: readonly (readonly number[])[][]): SyntheticPlane[] {
  return zs.map((zMm) => ({ zMm, rings }));
}

async function run(ss: StructureSet, grid: DoseGrid, options: Parameters<typeof calculateDvhs>[2] = {}): Promise<DvhCalculationResult> {
  return calculateDvhs(ss, grid, { algorithm: 'dicompyler', backend: 'cpu', ...options });
}

async function dvhOf(ss: StructureSet, grid: DoseGrid, roi: number | string, options: DvhCalculationOptions = {}): Promise<DVH> {
  return getDvh(ss, grid, roi, { algorithm: 'dicompyler', backend: 'cpu', ...options });
}

/** Non-empty bins of the differential DVH as [bin index, volume cm^3]. */
function nonEmptyBins(dvh: DVH): [number, number][] {
  const out: [number, number][] = [];
  dvh.differential.counts.forEach((c, i) => {
    if (Math.abs(c) > 1e-12) out.push([i, c]);
  });
  return out;
}

function expectBins(dvh: DVH, expected: [number, number][]): void {
  const actual = nonEmptyBins(dvh);
  expect(actual.map(([i]) => i)).toEqual(expected.map(([i]) => i));
  actual.forEach(([, v], k) => expect(v).toBeCloseTo(expected[k][1], 12));
}

describe('synthetic helper', () => {
  it('puts each voxel where indexToPatientMm says it is, for every orientation', () => {
    const dose: DoseFn = (x, y, z) => (500.5 + 10 * x + 4 * y + 2 * z) / 100;
    for (const orientation of ALL_ORIENTATIONS) {
      const grid = orientedGrid(orientation, dose);
      const g = grid.geometry;
      expect(g.orientation).toBe(orientation);
      for (const [c, r, f] of [[0, 0, 0], [g.columns - 1, 0, 1], [0, g.rows - 1, 2], [3, 5, 4], [g.columns - 1, g.rows - 1, 3]]) {
        const [x, y, z] = indexToPatientMm(g, c, r, f);
        expect(grid.doseGyAt(c, r, f)).toBeCloseTo(dose(x, y, z), 9);
      }
    }
  });
});

describe('calculateDvhs: a box in a uniform dose', () => {
  it('volume, min, max, mean and the single non-empty bin', async () => {
    const grid = standardGrid(uniform);
    const ss = makeStructureSet([{ number: 1, name: 'box', planes: planesOf([0, 2, 4, 6, 8], [BOX]) }]);
    const result = await run(ss, grid);
    expect(result.errors).toEqual([]);
    expect(result.algorithm).toBe('dicompyler');
    expect(result.dvhs).toHaveLength(1);
    const { roi, name, dvh } = result.dvhs[0];
    expect([roi, name]).toEqual([1, 'box']);
    expect(dvh.type).toBe('cumulative');
    expect(dvh.doseUnits).toBe('Gy');
    expect(dvh.volumeUnits).toBe('cm3');
    expect(dvh.lookup).toBe('dicompyler');
    expect(dvh.computedBy?.algorithm).toBe('dicompyler');
    expect(dvh.notes).toBeUndefined();
    // 12 centres x 5 planes = 60 voxels x 10 mm^3 = 600 mm^3 = 0.6 cm^3.
    expect(dvh.volume).toBeCloseTo(0.6, 12);
    // Grid max 2505 x 0.001 x 100 = 250.5 cGy -> binCount floor(250.5) + 1 = 251; every voxel
    // in bin 250, which is also the last non-empty bin: 251 counts, 252 edges (0 .. 2.51 Gy).
    expect(dvh.counts).toHaveLength(251);
    expect(dvh.bins).toHaveLength(252);
    expect(dvh.bins[251]).toBeCloseTo(2.51, 12);
    expectBins(dvh, [[250, 0.6]]);
    // Cumulative: 0.6 cm^3 receives at least every edge 0 .. 2.50 Gy.
    for (const k of [0, 100, 250]) expect(dvh.counts[k]).toBeCloseTo(0.6, 12);
    // max = upper edge of the highest non-empty bin = 2.51 Gy; dicompyler's min is the upper
    // edge of the lowest non-empty bin = 2.51 Gy too; mean = bin centre 2.505 Gy.
    expect(dvh.max).toBeCloseTo(2.51, 12);
    expect(dvh.min).toBeCloseTo(2.51, 12);
    expect(dvh.mean).toBeCloseTo(2.505, 12);
  });
});

describe('calculateDvhs: a box in a linear dose gradient along x', () => {
  it('has exactly the expected differential bins and counts', async () => {
    const grid = standardGrid(gradientX);
    const ss = makeStructureSet([{ number: 1, name: 'box', planes: planesOf([0, 2, 4, 6, 8], [BOX]) }]);
    const dvh = await dvhOf(ss, grid, 1);
    // Centres x = -4, -2, 0, 2 -> 260.5, 280.5, 300.5, 320.5 cGy -> bins 260, 280, 300, 320;
    // each column of the box has 3 y centres x 5 planes = 15 voxels = 150 mm^3 = 0.15 cm^3.
    expectBins(dvh, [[260, 0.15], [280, 0.15], [300, 0.15], [320, 0.15]]);
    expect(dvh.volume).toBeCloseTo(0.6, 12);
    // Trimmed after the last non-empty bin (320): 321 counts.
    expect(dvh.counts).toHaveLength(321);
    // Cumulative steps: 0.6 up to edge 2.60, 0.45 to 2.80, 0.3 to 3.00, 0.15 to 3.20 Gy.
    const c = dvh.counts;
    expect([c[0], c[260], c[261], c[280], c[281], c[300], c[301], c[320]].map((v) => Number(v.toFixed(12)))).toEqual([0.6, 0.6, 0.45, 0.45, 0.3, 0.3, 0.15, 0.15]);
    // min (dicompyler: upper edge of lowest bin) 2.61 Gy; max 3.21 Gy;
    // mean = (2.605 + 2.805 + 3.005 + 3.205) / 4 = 2.905 Gy.
    expect(dvh.min).toBeCloseTo(2.61, 12);
    expect(dvh.max).toBeCloseTo(3.21, 12);
    expect(dvh.mean).toBeCloseTo(2.905, 12);
    // D50 (dicompyler lookup: lower edge of the first bin whose relative volume is nearest 50 %):
    // relative volumes 100 % (edges 0..2.60), 75 %, 50 % (edges 2.81..3.00), 25 % -> 2.81 Gy.
    expect(dvh.statistic('D50').value).toBeCloseTo(2.81, 12);
    // D80: nearest is 75 % (|75 - 80| = 5 < |100 - 80| = 20), first at edge 2.61 Gy.
    expect(dvh.statistic('D80').value).toBeCloseTo(2.61, 12);
  });
});

describe('calculateDvhs: holes, islands and overlaps (even-odd over all contours of a plane)', () => {
  it('ring with a hole, island in the hole, two islands, two overlapping contours', async () => {
    const grid = standardGrid(gradientX);
    const zs = [2, 4, 6]; // 3 planes, thickness 2 mm: one centre = 10 mm^3 = 0.01 cm^3 per plane
    // Outer: x -9..7 (centres -8..6: 8), y -8.75..8.75 (centres -7.5..7.5: 7) = 56 centres.
    const outer = boxRing(-9, -8.75, 7, 8.75);
    // Hole: the standard box, 12 centres; drawn clockwise (orientation does not matter).
    const hole = [...BOX].reverse();
    // Island in the hole: x -3..1 (centres -2, 0), y -1.25..1.25 (centre 0) = 2 centres.
    const island = boxRing(-3, -1.25, 1, 1.25);
    // Two disjoint islands: A x -9..-5 (-8, -6) x y -1.25..3.75 (0, 2.5) = 4; B x 1..7 (2, 4, 6) x y -6.25..-1.25 (-5, -2.5) = 6.
    const a = boxRing(-9, -1.25, -5, 3.75);
    const b = boxRing(1, -6.25, 7, -1.25);
    // Overlapping: P = the standard box (x -4..2, y -2.5..2.5: 12), Q x -1..7 (0, 2, 4, 6) x y -1.25..6.25 (0, 2.5, 5): 12;
    // overlap x {0, 2} x y {0, 2.5} = 4 centres, so XOR = 12 + 12 - 2 x 4 = 16.
    const q = boxRing(-1, -1.25, 7, 6.25);
    const ss = makeStructureSet([
      { number: 1, name: 'ring', planes: planesOf(zs, [outer, hole]) },
      { number: 2, name: 'ring+island', planes: planesOf(zs, [outer, hole, island]) },
      { number: 3, name: 'two islands', planes: planesOf(zs, [a, b]) },
      { number: 4, name: 'xor', planes: planesOf(zs, [BOX, q]) },
    ]);
    const result = await run(ss, grid);
    expect(result.errors).toEqual([]);
    const byName = Object.fromEntries(result.dvhs.map((d) => [d.name, d.dvh]));
    // ring: 56 - 12 = 44 centres x 3 planes x 10 mm^3 = 1320 mm^3 = 1.32 cm^3.
    // x sums: outer per row -8-6-4-2+0+2+4+6 = -8, x 7 rows = -56; hole per row -4, x 3 = -12;
    // ring -56 - (-12) = -44 over 44 -> mean x = -1 -> 300.5 - 10 = 290.5 cGy = 2.905 Gy.
    expect(byName.ring.volume).toBeCloseTo(1.32, 12);
    expect(byName.ring.mean).toBeCloseTo(2.905, 12);
    // ring + island: 44 + 2 = 46 centres x 30 mm^3 = 1380 mm^3 = 1.38 cm^3; x sum -44 + (-2 + 0) = -46 -> mean x -1 -> 2.905 Gy.
    expect(byName['ring+island'].volume).toBeCloseTo(1.38, 12);
    expect(byName['ring+island'].mean).toBeCloseTo(2.905, 12);
    // Lowest dose in ring: x = -8 -> 220.5 cGy (bin 220, min = 2.21 Gy); highest x = 6 -> 360.5 (max = 3.61 Gy).
    expect(byName.ring.min).toBeCloseTo(2.21, 12);
    expect(byName.ring.max).toBeCloseTo(3.61, 12);
    // The hole's columns x = -4..2 keep only the 7 - 3 = 4 outer rows: bin 260 (x = -4) holds
    // 4 rows x 3 planes = 12 voxels = 0.12 cm^3, bin 240 (x = -6) the full 7 x 3 = 21 = 0.21 cm^3.
    const ringBins = new Map(nonEmptyBins(byName.ring));
    expect(ringBins.get(240)).toBeCloseTo(0.21, 12);
    expect(ringBins.get(260)).toBeCloseTo(0.12, 12);
    expect([...ringBins.keys()]).toEqual([220, 240, 260, 280, 300, 320, 340, 360]);
    // With the island, bins 280 (x = -2) and 300 (x = 0) gain one row x 3 planes = 0.03 cm^3 each.
    const islandBins = new Map(nonEmptyBins(byName['ring+island']));
    expect(islandBins.get(280)).toBeCloseTo(0.15, 12);
    expect(islandBins.get(300)).toBeCloseTo(0.15, 12);
    // two islands: 4 + 6 = 10 centres x 30 mm^3 = 0.3 cm^3; x sum (-8-6) x 2 + (2+4+6) x 2 = -4 -> mean x -0.4 -> 296.5 cGy.
    expect(byName['two islands'].volume).toBeCloseTo(0.3, 12);
    expect(byName['two islands'].mean).toBeCloseTo(2.965, 12);
    // xor: 16 x 30 mm^3 = 0.48 cm^3; x sum: P (-4) x 3 = -12, Q 12 x 3 = 36, overlap (0+2) x 2 = 4 counted in both:
    // -12 + 36 - 2 x 4 = 16 -> mean x 1 -> 310.5 cGy.
    expect(byName.xor.volume).toBeCloseTo(0.48, 12);
    expect(byName.xor.mean).toBeCloseTo(3.105, 12);
  });
});

describe('calculateDvhs: a sphere of circles on planes', () => {
  it('volume = voxel centres inside the circle polygons (brute force) x voxel volume', async () => {
    // Sphere of radius 9 mm centred (0.3, -0.4, 4); planes z = -4 .. 12 every 2 mm, circle
    // radius sqrt(81 - (z - 4)^2), 64-gon. Grid as standard but 9 frames from z = -4.
    const frames = [0, 2, 4, 6, 8, 10, 12, 14, 16];
    const grid = standardGrid(uniform, { frames: 9, originMm: [-20, -20, -4], frameOffsetsMm: frames });
    const zs = frames.map((o) => -4 + o);
    const rings = zs.map((z) => circleRing(0.3, -0.4, Math.sqrt(81 - (z - 4) ** 2), 64));
    const ss = makeStructureSet([{ number: 7, name: 'sphere', planes: zs.map((zMm, k) => ({ zMm, rings: [rings[k]] })) }]);

    // Independent count: every voxel centre of the lattice against each polygon, textbook
    // crossing test (a ray to +x; no centre lies on an edge, so boundary rules do not matter).
    const xs = Array.from({ length: 21 }, (_, i) => -20 + 2 * i);
    const ys = Array.from({ length: 17 }, (_, j) => -20 + 2.5 * j);
    const inside = (px: number, py: number, ring: number[][]): boolean => {
      let odd = false;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) odd = !odd;
      }
      return odd;
    };
    let count = 0;
    for (const ring of rings) for (const y of ys) for (const x of xs) if (inside(x, y, ring)) count += 1;
    // Sanity of the count itself: sum of circle areas / 5 mm^2, within a few voxels per plane.
    const areaVoxels = rings.reduce((s, _, k) => s + (Math.PI * (81 - (zs[k] - 4) ** 2)) / 5, 0);
    expect(Math.abs(count - areaVoxels)).toBeLessThan(4 * zs.length);

    const dvh = await dvhOf(ss, grid, 'sphere');
    // count x 5 mm^2 x 2 mm / 1000.
    expect(dvh.volume).toBeCloseTo((count * 10) / 1000, 12);
    expectBins(dvh, [[250, (count * 10) / 1000]]);
    expect(dvh.mean).toBeCloseTo(2.505, 12);
  });
});

/**
 * The same physical lattice (x = -20..20 step 2, y = -20..20 step 2.5, z = 0..8 step 2) in a
 * given orientation: the first voxel is the corner the cosines point away from.
 * Head-first: origin z 0, offsets 0..8 (z increasing); feet-first: origin z 8, offsets 0..8
 * (z = 8, 6, 4, 2, 0, decreasing). `offsets` overrides (with `originZ`).
 */
function orientedGrid(orientation: PatientOrientation, dose: DoseFn, frameOverride?: { originZ: number; offsets: number[] }): DoseGrid {
  // Non-decubitus: columns along x (21, spacing 2), rows along y (17, spacing 2.5); decubitus swaps them.
  const layout = orientedLayout(orientation, { xCount: 21, yCount: 17, halfExtentMm: 20, topZMm: 8 });
  const originMm: [number, number, number] = [layout.originMm[0], layout.originMm[1], frameOverride ? frameOverride.originZ : layout.originMm[2]];
  return makeDoseGrid({ ...layout, originMm, frames: 5, frameOffsetsMm: frameOverride ? frameOverride.offsets : [0, 2, 4, 6, 8], scaling: 0.001, dose });
}

describe('calculateDvhs: patient orientations and frame order', () => {
  // 500.5 + 10 x + 4 y + 2 z cGy; over the grid 220.5 .. 796.5 cGy (all positive, 797 bins).
  const dose: DoseFn = (x, y, z) => (500.5 + 10 * x + 4 * y + 2 * z) / 100;
  const ss = makeStructureSet([{ number: 1, name: 'box', planes: planesOf([0, 2, 4, 6, 8], [BOX]) }]);
  // Box centres x -4..2, y -2.5..2.5, z 0..8: 60 voxels x 5 mm^2 x 2 mm = 0.6 cm^3.
  // Lowest voxel (-4, -2.5, 0): 500.5 - 40 - 10 + 0 = 450.5 cGy -> bin 450 -> min 4.51 Gy.
  // Highest (2, 2.5, 8): 500.5 + 20 + 10 + 16 = 546.5 cGy -> bin 546 -> max 5.47 Gy.
  // Mean: 500.5 + 10 x mean(x) + 4 x mean(y) + 2 x mean(z) = 500.5 - 10 + 0 + 8 = 498.5 cGy.
  const expectHandValues = (dvh: DVH) => {
    expect(dvh.volume).toBeCloseTo(0.6, 12);
    expect(dvh.min).toBeCloseTo(4.51, 12);
    expect(dvh.max).toBeCloseTo(5.47, 12);
    expect(dvh.mean).toBeCloseTo(4.985, 12);
  };

  for (const orientation of ALL_ORIENTATIONS) {
    it(`${orientation}: same volume, min, max and mean as worked by hand`, async () => {
      const grid = orientedGrid(orientation, dose);
      const g = grid.geometry;
      // Feet-first grids run z downwards with increasing offsets.
      expect(Array.from(g.frameZMm)).toEqual(orientation.startsWith('HF') ? [0, 2, 4, 6, 8] : [8, 6, 4, 2, 0]);
      const dvh = await dvhOf(ss, grid, 1);
      expectHandValues(dvh);
      // No ROI error and no note: the box lies inside the grid in every orientation.
      expect(dvh.notes).toBeUndefined();
    });
  }

  it('the differential histogram is identical across orientations', async () => {
    const reference = nonEmptyBins(await dvhOf(ss, orientedGrid('HFS', dose), 1));
    for (const orientation of ALL_ORIENTATIONS) {
      const bins = nonEmptyBins(await dvhOf(ss, orientedGrid(orientation, dose), 1));
      expect(bins.map(([i]) => i)).toEqual(reference.map(([i]) => i));
      bins.forEach(([, v], k) => expect(v).toBeCloseTo(reference[k][1], 12));
    }
  });

  it('decreasing GridFrameOffsetVector, head-first (z decreasing) and feet-first (z increasing)', async () => {
    // HFS, origin z 8, offsets 0, -2, ..., -8: z = 8 + offset = 8, 6, 4, 2, 0.
    const hf = orientedGrid('HFS', dose, { originZ: 8, offsets: [0, -2, -4, -6, -8] });
    expect(Array.from(hf.geometry.frameZMm)).toEqual([8, 6, 4, 2, 0]);
    expectHandValues(await dvhOf(ss, hf, 1));
    // FFS, origin z 0, offsets 0, -2, ..., -8: z = 0 - offset = 0, 2, 4, 6, 8.
    const ff = orientedGrid('FFS', dose, { originZ: 0, offsets: [0, -2, -4, -6, -8] });
    expect(Array.from(ff.geometry.frameZMm)).toEqual([0, 2, 4, 6, 8]);
    expectHandValues(await dvhOf(ss, ff, 1));
    // FFDR, origin z 8, increasing offsets: z decreasing, decubitus transposition at the same time.
    expectHandValues(await dvhOf(ss, orientedGrid('FFDR', dose), 1));
  });
});

describe('calculateDvhs: dose planes between frames', () => {
  it('nearest frame within 0.5 mm, else interpolation between the nearest and second-nearest frames', async () => {
    // Dose 400.5 + 5 z cGy, uniform in-plane: frames z = 0..8 store 4005, 4105, 4205, 4305, 4405.
    const grid = standardGrid((_x, _y, z) => (400.5 + 5 * z) / 100);
    const ss = makeStructureSet([
      // z = 2.8: nearest frame z = 2 (0.8 mm, not < 0.5), second-nearest z = 4; fraction
      // (2.8 - 4) / (2 - 4) = 0.6 -> 0.6 x 4105 + 0.4 x 4205 = 2463 + 1682 = 4145 -> 414.5 cGy, bin 414.
      // z = 4.8: nearest z = 4, second z = 6; 0.6 x 4205 + 0.4 x 4305 = 4245 -> bin 424.
      // (Weights the other way round would give bins 416 and 426.)
      { number: 1, name: 'between', planes: planesOf([2.8, 4.8], [BOX]) },
      // z = 4.4 and 6.4: frames z = 4 and 6 are 0.4 mm away (< 0.5): their own doses, bins 420 and 430.
      { number: 2, name: 'near', planes: planesOf([4.4, 6.4], [BOX]) },
    ]);
    const result = await run(ss, grid);
    expect(result.errors).toEqual([]);
    // Each plane: 12 voxels x 5 mm^2 x 2 mm = 120 mm^3 = 0.12 cm^3.
    expectBins(result.dvhs[0].dvh, [[414, 0.12], [424, 0.12]]);
    expectBins(result.dvhs[1].dvh, [[420, 0.12], [430, 0.12]]);
    expect(result.dvhs[0].dvh.notes).toBeUndefined();
  });
});

describe('calculateDvhs: one-frame dose and single-plane ROIs', () => {
  // One frame at z = 4; ROI: the box on z = 4 only (12 centres).
  const grid = standardGrid(uniform, { frames: 1, originMm: [-20, -20, 4], frameOffsetsMm: [0] });
  const ss = makeStructureSet([{ number: 1, name: 'slice', planes: [{ zMm: 4, rings: [BOX] }] }]);

  it('default thickness: one plane has no gap, so the ROI is reported (E_UNKNOWN_THICKNESS), not given volume 0', async () => {
    // dicompyler-core: CalculatePlaneThickness of a single plane is 0, so it silently returns a
    // zero-volume DVH. dosekit says why and how to fix it.
    const result = await run(ss, grid);
    expect(result.dvhs).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ roi: 1, code: 'E_UNKNOWN_THICKNESS' })]);
    expect(result.errors[0].message).toContain('thicknessMm');
  });

  it('thicknessMm 3: volume = 12 centres x 5 mm^2 x 3 mm = 180 mm^3 = 0.18 cm^3', async () => {
    const dvh = await dvhOf(ss, grid, 1, { thicknessMm: 3 });
    expect(dvh.volume).toBeCloseTo(0.18, 12);
    expectBins(dvh, [[250, 0.18]]);
  });
});

describe('calculateDvhs: contours partly outside the grid', () => {
  it('in-plane: only the centres inside the grid count (increasing and decreasing axes)', async () => {
    // Box x 15..30, y -3.75..3.75 hangs over the x = 20 edge: centres x = 16, 18, 20 (3) x y -2.5, 0, 2.5 (3)
    // = 9 per plane x 5 planes = 45 voxels x 10 mm^3 = 450 mm^3 = 0.45 cm^3.
    // Also a box over the y = -20 edge: y -25..-16.25 -> y centres -20, -17.5 (2) x x -5..3 (4) = 8 x 5 = 40 -> 0.4 cm^3.
    const ss = makeStructureSet([
      { number: 1, name: 'over x', planes: planesOf([0, 2, 4, 6, 8], [boxRing(15, -3.75, 30, 3.75)]) },
      { number: 2, name: 'over y', planes: planesOf([0, 2, 4, 6, 8], [boxRing(-5, -25, 3, -16.25)]) },
    ]);
    for (const orientation of ['HFS', 'HFP', 'FFDL'] as const) {
      const result = await run(ss, orientedGrid(orientation, uniform));
      expect(result.errors).toEqual([]);
      expect(result.dvhs[0].dvh.volume).toBeCloseTo(0.45, 12);
      expect(result.dvhs[1].dvh.volume).toBeCloseTo(0.4, 12);
      // In-plane overhang is not reported in notes (dicompyler-core only notes planes beyond the frames).
      expect(result.dvhs[0].dvh.notes).toBeUndefined();
    }
  });

  it('planes beyond the last frame: counted against frame 0 (calculateFullVolume) or left out', async () => {
    const grid = standardGrid(gradientX);
    // Planes z = 4, 6, 8 are on frames; 10 and 12 lie beyond the last frame (z = 8).
    const ss = makeStructureSet([{ number: 1, name: 'long', planes: planesOf([4, 6, 8, 10, 12], [BOX]) }]);
    // calculateFullVolume (default true): volume = 5 planes x 12 x 10 mm^3 = 600 mm^3 = 0.6 cm^3;
    // histogram from the 3 in-grid planes: bins 260, 280, 300, 320 with 3 x 3 = 9 voxels each of 36,
    // rescaled to the volume: 0.6 x 9 / 36 = 0.15 cm^3 each.
    const full = await dvhOf(ss, grid, 1);
    expect(full.volume).toBeCloseTo(0.6, 12);
    expectBins(full, [[260, 0.15], [280, 0.15], [300, 0.15], [320, 0.15]]);
    expect(full.notes).toBe(NOTE_FULL);
    // calculateFullVolume false: 3 planes x 12 x 10 = 360 mm^3 = 0.36 cm^3; 0.09 cm^3 per bin.
    const within = await dvhOf(ss, grid, 1, { calculateFullVolume: false });
    expect(within.volume).toBeCloseTo(0.36, 12);
    expectBins(within, [[260, 0.09], [280, 0.09], [300, 0.09], [320, 0.09]]);
    expect(within.notes).toBe(NOTE_WITHIN);
    // Means are the same (x-only dose): (2.605 + 2.805 + 3.005 + 3.205) / 4 = 2.905 Gy.
    expect(full.mean).toBeCloseTo(2.905, 12);
    expect(within.mean).toBeCloseTo(2.905, 12);
  });

  it('volume-only planes are counted on frame 0 (its dose decides what is in range, as dicompyler-core\'s dummy dose plane)', async () => {
    // Frame 0 (z = 0) holds 600.5 cGy, frames z = 2..8 hold 300.5 cGy; grid max 600.5 -> 601 bins.
    const grid = standardGrid((_x, _y, z) => (z === 0 ? 6.005 : 3.005));
    const ss = makeStructureSet([{ number: 1, name: 'long', planes: planesOf([4, 6, 8, 10, 12], [BOX]) }]);
    // No limit: 5 planes x 12 voxels x 10 mm^3 = 0.6 cm^3, all spread over bin 300.
    const full = await dvhOf(ss, grid, 1);
    expect(full.volume).toBeCloseTo(0.6, 12);
    expectBins(full, [[300, 0.6]]);
    // limitCGy 500: the in-grid planes (300.5 cGy) still count, 36 voxels = 0.36 cm^3; the planes at
    // z = 10, 12 are counted against frame 0, whose 600.5 cGy lies above the limit, so they add nothing.
    const limited = await dvhOf(ss, grid, 1, { limitCGy: 500 });
    expect(limited.volume).toBeCloseTo(0.36, 12);
    expect(limited.notes).toBe(NOTE_FULL);
  });

  it('a plane below the first frame is treated the same way', async () => {
    const grid = standardGrid(uniform);
    // z = -2 lies below the first frame (z = 0); z = 0, 2 are on frames.
    const ss = makeStructureSet([{ number: 1, name: 'low', planes: planesOf([-2, 0, 2], [BOX]) }]);
    // Full: 3 x 12 x 10 = 360 mm^3 = 0.36 cm^3; within: 2 x 12 x 10 = 0.24 cm^3.
    expect((await dvhOf(ss, grid, 1)).volume).toBeCloseTo(0.36, 12);
    expect((await dvhOf(ss, grid, 1, { calculateFullVolume: false })).volume).toBeCloseTo(0.24, 12);
  });
});

describe('calculateDvhs: ROI errors do not stop the other ROIs', () => {
  const grid = standardGrid(uniform);
  const ss = makeStructureSet([
    { number: 1, name: 'box', planes: planesOf([0, 2, 4, 6, 8], [BOX]) },
    { number: 2, name: 'empty', planes: [] },
    { number: 3, name: 'marker', planes: [{ zMm: 4, rings: [[[0, 0]]], geometricType: 'POINT' }] },
    // x 100..110 is beyond the grid (x <= 20).
    { number: 4, name: 'far away', planes: planesOf([2, 4], [boxRing(100, -3.75, 110, 3.75)]) },
    // z 20, 22 is beyond the frames (z <= 8): volume-only slabs, no dose sample -> no DVH.
    { number: 5, name: 'above', planes: planesOf([20, 22], [BOX]) },
    { number: 6, name: 'box again', planes: planesOf([2, 4, 6], [boxRing(-9, -3.75, -5, 3.75)]) },
  ]);

  it('reports each failing ROI with its code in one call', async () => {
    const result = await run(ss, grid, { rois: [1, 2, 3, 4, 5, 99, 'box again'] });
    const codes = Object.fromEntries(result.errors.map((e) => [String(e.roi), e.code]));
    expect(codes).toEqual({ '2': 'E_EMPTY_ROI', '3': 'E_POINT_ROI', '4': 'E_NO_DOSE_OVERLAP', '5': 'E_NO_DOSE_OVERLAP', '99': 'E_ROI_NOT_FOUND' });
    for (const error of result.errors) expect(error.message.length).toBeGreaterThan(0);
    expect(result.dvhs.map((d) => d.roi)).toEqual([1, 6]);
    // ROI 1: 60 voxels -> 0.6 cm^3, all in bin 250.
    expectBins(result.dvhs[0].dvh, [[250, 0.6]]);
    // ROI 6: x -9..-5 (centres -8, -6) x 3 y centres = 6 per plane x 3 planes = 18 x 10 mm^3 = 0.18 cm^3.
    expectBins(result.dvhs[1].dvh, [[250, 0.18]]);
  });

  it('all ROIs by default; getDvh throws the ROI code', async () => {
    const result = await run(ss, grid);
    expect(result.dvhs.map((d) => d.roi)).toEqual([1, 6]);
    expect(result.errors.map((e) => e.roi).sort()).toEqual([2, 3, 4, 5]);
    await expect(dvhOf(ss, grid, 2)).rejects.toMatchObject({ code: 'E_EMPTY_ROI' });
    await expect(dvhOf(ss, grid, 'marker')).rejects.toMatchObject({ code: 'E_POINT_ROI' });
    await expect(dvhOf(ss, grid, 4)).rejects.toMatchObject({ code: 'E_NO_DOSE_OVERLAP' });
    await expect(dvhOf(ss, grid, 'no such ROI')).rejects.toMatchObject({ code: 'E_ROI_NOT_FOUND' });
  });
});

describe('calculateDvhs: frame of reference', () => {
  it('a mismatch throws E_FRAME_OF_REFERENCE_MISMATCH; force: true proceeds', async () => {
    const grid = standardGrid(uniform, { frameOfReferenceUid: '1.2.826.0.1.4' });
    const ss = makeStructureSet([{ number: 1, name: 'box', planes: planesOf([0, 2, 4, 6, 8], [BOX]) }], { frameOfReferenceUid: '1.2.826.0.1.3' });
    await expect(run(ss, grid)).rejects.toMatchObject({ code: 'E_FRAME_OF_REFERENCE_MISMATCH' });
    const forced = await run(ss, grid, { force: true });
    expect(forced.dvhs[0].dvh.volume).toBeCloseTo(0.6, 12);
    // The same UID on both sides is fine.
    const same = makeStructureSet([{ number: 1, name: 'box', planes: planesOf([0, 2, 4, 6, 8], [BOX]) }], { frameOfReferenceUid: '1.2.826.0.1.4' });
    expect((await run(same, grid)).dvhs).toHaveLength(1);
  });
});

describe('calculateDvhs: limitCGy', () => {
  it('drops voxels above the limit from the histogram and from the volume', async () => {
    const grid = standardGrid(gradientX);
    const ss = makeStructureSet([{ number: 1, name: 'box', planes: planesOf([0, 2, 4, 6, 8], [BOX]) }]);
    // limitCGy 300: 300 bins covering [0, 300] cGy; 300.5 and 320.5 cGy lie above the top edge and are
    // dropped: 2 columns x 15 voxels = 30 voxels = 0.3 cm^3, bins 260 and 280 keep 0.15 each.
    const limited = await dvhOf(ss, grid, 1, { limitCGy: 300 });
    expect(limited.volume).toBeCloseTo(0.3, 12);
    expectBins(limited, [[260, 0.15], [280, 0.15]]);
    expect(limited.max).toBeCloseTo(2.81, 12);
    // limitCGy 301: top edge 301 cGy, so 300.5 cGy is kept (bin 300): 45 voxels = 0.45 cm^3.
    const limited301 = await dvhOf(ss, grid, 1, { limitCGy: 301 });
    expect(limited301.volume).toBeCloseTo(0.45, 12);
    expectBins(limited301, [[260, 0.15], [280, 0.15], [300, 0.15]]);
    // A limit above the grid maximum (500.5 cGy -> 501 bins) changes nothing.
    expect((await dvhOf(ss, grid, 1, { limitCGy: 1000 })).volume).toBeCloseTo(0.6, 12);
    // Everything above the limit: no DVH.
    await expect(dvhOf(ss, grid, 1, { limitCGy: 200 })).rejects.toMatchObject({ code: 'E_NO_DOSE_OVERLAP' });
  });
});

describe('calculateDvhs: progress and cancellation', () => {
  // Sphere-like stack: one ROI on all 9 frames -> 9 distinct dose planes, processed in batches of 8.
  const frames = [0, 2, 4, 6, 8, 10, 12, 14, 16];
  const grid = standardGrid(uniform, { frames: 9, frameOffsetsMm: frames });
  const ss = makeStructureSet([{ number: 1, name: 'column', planes: planesOf(frames, [BOX]) }]);

  it('onProgress gets increasing fractions ending at 1', async () => {
    const fractions: number[] = [];
    await run(ss, grid, { onProgress: (f) => fractions.push(f) });
    // Batches of 8 planes out of 9: 8/9 after the first batch, 1 after the second.
    expect(fractions).toHaveLength(2);
    expect(fractions[0]).toBeCloseTo(8 / 9, 12);
    expect(fractions[1]).toBe(1);
    for (let k = 1; k < fractions.length; k += 1) expect(fractions[k]).toBeGreaterThan(fractions[k - 1]);
  });

  it('an already-aborted signal rejects with an AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(run(ss, grid, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('aborting during the calculation rejects with an AbortError', async () => {
    const controller = new AbortController();
    const error = await run(ss, grid, { signal: controller.signal, onProgress: () => controller.abort() }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('AbortError');
  });
});
