// SPDX-License-Identifier: BSD-3-Clause
// The precise algorithm's plan against its documented model (README, "The precise algorithm"),
// every expected value worked by hand from the inputs: the slabs and end caps of planes given in
// any order, the automatic supersampling rule, how each slab is cut into sub-slabs and which dose
// frames a sub-slab reads (single-frame grids and samples past the end frames included), samples
// on contour edges counted half, and the exact dose extremes from the surface walk (the
// histogram's 0.1 cGy bins cannot show them, so they are checked to 1e-9 Gy here).
import { describe, expect, it } from 'vitest';
import { calculateDvhs, getDvh } from '../../src/dvh/calculate.js';
import type { DvhCalculationOptions } from '../../src/dvh/calculation-options.js';
import { chooseFactors, planPrecise, slabsOf } from '../../src/dvh/plan-precise.js';
import type { DoseGrid } from '../../src/model/dose-grid.js';
import type { Roi } from '../../src/model/structure-set.js';
import { boxRing, makeStructureSet, standardGrid } from '../helpers/synthetic.js';

const CPU = { backend: 'cpu' } as const;
const PROVENANCE = { algorithm: 'precise', backend: { kind: 'cpu' as const } };

/** A box ROI (x0..x1, y0..y1) on the given planes. */
function boxSet(planesZMm: readonly number[], x0: number, y0: number, x1: number, y1: number) {
  return makeStructureSet([{ number: 1, name: 'box', planes: planesZMm.map((zMm) => ({ zMm, rings: [boxRing(x0, y0, x1, y1)] })) }]);
}

/** The standard grid (x -20..20 every 2 mm, y -20..20 every 2.5 mm, frames z 0..8 every 2 mm) at 1e-6 Gy per stored unit. */
function grid(dose: (x: number, y: number, z: number) => number, overrides: Parameters<typeof standardGrid>[1] = {}): DoseGrid {
  return standardGrid(dose, { scaling: 1e-6, ...overrides });
}

describe('precise plan: slabs and end caps', () => {
  // Planes z = 2, 4, 6 (spacing 2 mm) handed over in descending order.
  const roi: Roi = (() => {
    const built = boxSet([2, 4, 6], -8, -5, 8, 10).rois[0];
    return { ...built, planes: [...built.planes].reverse() };
  })();

  it('sorts the planes by z and caps the end slabs as asked', () => {
    const extents = (endCaps: DvhCalculationOptions['endCaps']) => slabsOf(roi, 2, endCaps).map((s) => [s.plane.zMm, s.zLowMm, s.zHighMm]);
    const half = [
      [2, 1, 3],
      [4, 3, 5],
      [6, 5, 7],
    ];
    expect(extents(undefined)).toEqual(half);
    expect(extents('half')).toEqual(half);
    expect(extents('none')).toEqual([
      [2, 2, 3],
      [4, 3, 5],
      [6, 5, 6],
    ]);
    expect(extents(0.5)).toEqual([
      [2, 1.5, 3],
      [4, 3, 5],
      [6, 5, 6.5],
    ]);
  });

  it('the volume is the box area times the capped extent', async () => {
    // 16 x 15 mm = 240 mm^2; extents 6, 4 and 5 mm.
    const set = boxSet([2, 4, 6], -8, -5, 8, 10);
    const dose = grid(() => 2);
    for (const [endCaps, volumeCm3] of [
      ['half', 1.44],
      ['none', 0.96],
      [0.5, 1.2],
    ] as const) {
      const dvh = await getDvh(set, dose, 1, { ...CPU, algorithm: 'precise', endCaps });
      expect(dvh.volume, String(endCaps)).toBeCloseTo(volumeCm3, 12);
    }
  });
});

describe('precise plan: the automatic supersampling', () => {
  // PixelSpacing [2.5, 2]: the rule uses the larger, 2.5 mm. edge = cbrt(volume / 100 000) mm;
  // factor = the odd integer at least (size / edge), at most 15.
  const dose = grid(() => 1);
  it('follows the rule, worked by hand', () => {
    const cases: [volumeMm3: number, spacingMm: number, inPlane: number, throughSlab: number][] = [
      [1e5, 2, 3, 3], // edge 1: 2.5 -> 3; 2 -> 2, even -> 3
      [8e5, 2, 3, 1], // edge 2: 1.25 -> 2 -> 3; exactly 1 -> 1
      [12_500, 2, 5, 5], // edge 0.5: exactly 5 -> 5; 4 -> 5
      [51_200, 2, 5, 3], // edge 0.8: 3.125 -> 4 -> 5 (with the 2 mm spacing it would be 2.5 -> 3); 2.5 -> 3
      [1e9, 3, 1, 1], // edge 21.5: 0.12 -> 1; 0.14 -> 1
      [1e-3, 2, 15, 15], // edge 0.002: capped
      [0, 2, 15, 15],
    ];
    for (const [volumeMm3, spacingMm, inPlane, throughSlab] of cases) {
      expect(chooseFactors(volumeMm3, dose, spacingMm, {}), `${volumeMm3} mm^3`).toEqual({ inPlane, throughSlab });
    }
  });

  it('a fixed supersampling is used as given', () => {
    expect(chooseFactors(1e5, dose, 2, { supersampling: 4 })).toEqual({ inPlane: 4, throughSlab: 4 });
    expect(chooseFactors(1e5, dose, 2, { supersampling: { inPlane: 3, throughSlab: 7 } })).toEqual({ inPlane: 3, throughSlab: 7 });
  });
});

describe('precise plan: sub-slabs and their dose frames', () => {
  it('cuts each slab into round(thickness / spacing x throughSlab) equal sub-slabs, one histogram per sub-slab thickness', () => {
    // Planes 2, 4, 6, end caps 0.3 mm: end slabs 1.3 mm (round(2.6) = 3 parts of 0.4333 mm),
    // the middle one 2 mm (4 parts of 0.5 mm): two sub-slab thicknesses, so two histograms.
    const set = boxSet([2, 4, 6], -8, -5, 8, 10);
    const dose = grid(() => 1);
    const plan = planPrecise(set.rois, dose, { algorithm: 'precise', endCaps: 0.3, supersampling: { inPlane: 3, throughSlab: 4 } }, () => PROVENANCE);
    expect(plan.targetCount).toBe(2);
    const layers = plan.rois[0].layers;
    // Each sub-slab on both shifted lattices.
    expect(layers.length).toBe(2 * (3 + 4 + 3));
    const frames = dose.geometry.frameZMm;
    const zOf = (source: (typeof layers)[number]['source']) => (source.kind === 'frame' ? frames[source.frame] : frames[source.lower] + source.fraction * (frames[source.upper] - frames[source.lower]));
    const endMm = 1.3 / 3;
    const expected = [
      ...[0, 1, 2].map((m) => ({ zMm: 1.7 + (m + 0.5) * endMm, cellMm: endMm })),
      ...[0, 1, 2, 3].map((m) => ({ zMm: 3 + (m + 0.5) * 0.5, cellMm: 0.5 })),
      ...[0, 1, 2].map((m) => ({ zMm: 5 + (m + 0.5) * endMm, cellMm: endMm })),
    ];
    const actual = layers.map((l) => ({ zMm: zOf(l.source), cellMm: l.spreadCellZMm! })).sort((a, b) => a.zMm - b.zMm);
    expected.forEach((e, k) => {
      for (const layer of [actual[2 * k], actual[2 * k + 1]]) {
        expect(layer.zMm).toBeCloseTo(e.zMm, 9);
        expect(layer.cellMm).toBeCloseTo(e.cellMm, 12);
      }
    });
    // The end slabs' sub-slabs share one histogram, the middle slab's another.
    const targets = new Set(layers.map((l) => l.target));
    expect(targets.size).toBe(2);
  });

  it('a single-frame grid: dose within half the smaller pixel spacing of the frame, none beyond', async () => {
    // One frame at z = 10; PixelSpacing [2.5, 2] -> samples within 1 mm of it have its dose.
    // Dose 3 + 0.1 x Gy; the box x -8..8 has mean 3 Gy.
    const dose = grid((x) => 3 + 0.1 * x, { frames: 1, frameOffsetsMm: [0], originMm: [-20, -20, 10] });
    const set = boxSet([10], -8, -5, 8, 10);
    const at = (thicknessMm: number, throughSlab: number) => getDvh(set, dose, 1, { ...CPU, algorithm: 'precise', thicknessMm, supersampling: { inPlane: 3, throughSlab } });
    // Sub-slab centres at z = 10 (1 part) and 9, 11 (2 parts of a 4 mm slab): all within 1 mm.
    for (const [thicknessMm, parts] of [
      [2, 1],
      [4, 2],
    ]) {
      const dvh = await at(thicknessMm, parts);
      expect(dvh.notes, `${thicknessMm} mm`).toBeUndefined();
      expect(dvh.volume).toBeCloseTo((240 * thicknessMm) / 1000, 12);
      expect(dvh.mean).toBeCloseTo(3, 4);
    }
    // Centres at 8.4, 10 and 11.6 (a 4.8 mm slab in 3 parts): the outer two are 1.6 mm away and
    // have no dose; the full volume is kept and the note says so.
    const beyond = await at(4.8, 3);
    expect(beyond.notes).toMatch(/does not encompass/);
    expect(beyond.volume).toBeCloseTo((240 * 4.8) / 1000, 12);
    expect(beyond.mean).toBeCloseTo(3, 4);
    // In 2 parts, at 8.8 and 11.2, 1.2 mm away: no sample has a dose, so there is no DVH.
    await expect(at(4.8, 2)).rejects.toMatchObject({ code: 'E_NO_DOSE_OVERLAP', message: expect.stringMatching(/"box": no sample inside its contours lies within the dose grid/) });
  });

  it('samples up to half a frame spacing past the last frame take its dose; further out, none', async () => {
    // Frames z = 10 .. 18 every 2 mm (half a spacing: 1 mm). Dose 2 Gy everywhere.
    const dose = grid(() => 2, { originMm: [-20, -20, 10] });
    const options: DvhCalculationOptions = { ...CPU, algorithm: 'precise', supersampling: { inPlane: 3, throughSlab: 1 } };
    // Planes 17, 18, 19 (1 mm apart): sample centres 17, 18 and 19, the last exactly 1 mm past.
    const within = await getDvh(boxSet([17, 18, 19], -8, -5, 8, 10), dose, 1, options);
    expect(within.notes).toBeUndefined();
    // Planes up to 21: the centres at 20 and 21 have no dose.
    const past = await getDvh(boxSet([17, 18, 19, 20, 21], -8, -5, 8, 10), dose, 1, options);
    expect(past.notes).toMatch(/does not encompass/);
    expect(past.volume).toBeCloseTo(1.2, 12);
  });
});

describe('precise plan: edges through samples, exact extremes', () => {
  // Dose 5.00037 + 0.1 x + 0.04 y Gy, exact in stored units at every voxel centre (x even,
  // y a multiple of 2.5). With inPlane 5 the samples lie at x = -20.8 + 0.4 i and
  // y = -21 + 0.5 j, so the box x -8.8..7.2, y -6..9 has all four edges through samples.
  const doseGy = (x: number, y: number) => 5.00037 + 0.1 * x + 0.04 * y;
  const dose = grid(doseGy);
  const set = boxSet([2, 4, 6], -8.8, -6, 7.2, 9);
  const options: DvhCalculationOptions = { ...CPU, algorithm: 'precise', supersampling: { inPlane: 5, throughSlab: 3 } };

  it('samples on an edge count half, so the mean is the dose at the centroid', async () => {
    const dvh = await getDvh(set, dose, 1, options);
    // Centroid (-0.8, 1.5): 5.00037 - 0.08 + 0.06 (the mean is taken from the 0.001 Gy bins; a
    // lattice counting one edge whole and the other not at all moves it by 0.02 Gy).
    expect(dvh.mean).toBeCloseTo(4.98037, 4);
    expect(dvh.volume).toBeCloseTo((16 * 15 * 6) / 1000, 12);
    expect(dvh.notes).toBeUndefined();
  });

  it('minimum and maximum are the corners of the box, exactly, not bin edges', async () => {
    const dvh = await getDvh(set, dose, 1, options);
    expect(Math.abs(dvh.min - doseGy(-8.8, -6))).toBeLessThan(1e-9);
    expect(Math.abs(dvh.max - doseGy(7.2, 9))).toBeLessThan(1e-9);
    // The histogram ends where the cells at the maximum corner spread to (half the norm of the
    // cell's dose differences: 0.5 x hypot(0.1 x 0.4, 0.04 x 0.5) = 0.022 Gy), not at the grid's maximum.
    expect(dvh.bins[dvh.bins.length - 1]).toBeLessThan(doseGy(7.2, 9) + 0.03);
    expect(dvh.bins[dvh.bins.length - 1]).toBeGreaterThanOrEqual(doseGy(7.2, 9) - 1e-9);
  });
});

describe('precise plan: extremes without a surface point in the grid', () => {
  it('a structure wholly within half a frame past the last frame takes its extremes from the samples', async () => {
    // Frames z = 0 .. 8; planes 8.4 and 8.8 (slabs 8.2 .. 9.0): every sample lies within 1 mm of
    // the last frame and has its dose, but no face of the slabs and no frame lies within the
    // frames, so the surface walk finds nothing. Dose 2.00037 Gy (between two 0.001 Gy bin
    // edges): minimum and maximum exactly that, not the edge above it.
    const dvh = await getDvh(boxSet([8.4, 8.8], -8, -5, 8, 10), grid(() => 2.00037), 1, { ...CPU, algorithm: 'precise', supersampling: { inPlane: 3, throughSlab: 2 } });
    expect(dvh.notes).toBeUndefined();
    expect(dvh.min).toBeCloseTo(2.00037, 12);
    expect(dvh.max).toBeCloseTo(2.00037, 12);
  });
});

describe('precise plan: derived ROIs reaching past the dose grid', () => {
  // A: planes 2, 4, 6 (z 1 .. 7); B: planes 6 .. 12 (z 5 .. 13). Frames z = 0 .. 8, so samples
  // up to z = 9 have dose. Both boxes x -8..8, y -5..10 (240 mm^2), edges through samples.
  const set = makeStructureSet([
    { number: 1, name: 'A', planes: [2, 4, 6].map((zMm) => ({ zMm, rings: [boxRing(-8, -5, 8, 10)] })) },
    { number: 2, name: 'B', planes: [6, 8, 10, 12].map((zMm) => ({ zMm, rings: [boxRing(-8, -5, 8, 10)] })) },
  ]);
  const dose = grid(() => 2);
  const run = (calculateFullVolume: boolean) =>
    calculateDvhs(set, dose, { ...CPU, algorithm: 'precise', calculateFullVolume, supersampling: { inPlane: 5, throughSlab: 2 }, rois: [{ name: 'I', expression: 'A & B' }, { name: 'U', expression: 'A | B' }] });

  it('A & B lies within the grid (B beyond it adds no sample): no note', async () => {
    const r = await run(true);
    const intersection = r.dvhs.find((d) => d.name === 'I')!.dvh;
    expect(intersection.notes).toBeUndefined();
    expect(intersection.volume).toBeCloseTo(0.48, 9); // z 5 .. 7
  });

  it('A | B: the note, and the volume of all its samples or of those with dose', async () => {
    const full = (await run(true)).dvhs.find((d) => d.name === 'U')!.dvh;
    expect(full.notes).toMatch(/Volume calculated for all contours/);
    expect(full.volume).toBeCloseTo(2.88, 9); // z 1 .. 13
    const within = (await run(false)).dvhs.find((d) => d.name === 'U')!.dvh;
    expect(within.notes).toMatch(/Volume calculated within dose grid/);
    expect(within.volume).toBeCloseTo(1.92, 9); // z 1 .. 9
  });
});
