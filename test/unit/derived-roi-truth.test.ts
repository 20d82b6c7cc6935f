// SPDX-License-Identifier: BSD-3-Clause
// Derived ROIs against hand-computed truth: volumes and mean doses of Boolean combinations of
// boxes whose edges lie on voxel boundaries, where each algorithm's documented model gives them in
// closed form. dicompyler: on each plane of either operand, the combination of the voxel centres
// inside each operand present on that plane (an absent operand contributes nothing), times the
// slab thickness (the smallest of the operands' plane spacings, or thicknessMm). precise: each
// operand keeps its own slabs (its planes +- half its own spacing), and the combination is that of
// the resulting solids. The identities in roi-algebra.test.ts hold whatever the volumes are; these
// pin the volumes themselves.
import { describe, expect, it } from 'vitest';
import { type RoiDvh, calculateDvhs } from '../../src/dvh/calculate.js';
import type { DoseGrid } from '../../src/model/dose-grid.js';
import { chooseFactors } from '../../src/dvh/plan-precise.js';
import { dicompylerDerived } from '../../src/dvh/plan-derived.js';
import { parseRoiRequest, resolveDerivedRoi } from '../../src/dvh/roi-algebra.js';
import { voxelCentreSampling } from '../../src/dvh/sampling.js';
import { boxRing, circleRing, makeDoseGrid, makeStructureSet } from '../helpers/synthetic.js';

/** An axis-aligned box [x0, x1] x [y0, y1] (mm), edges on the 2 mm grid's voxel boundaries (odd mm). */
interface Box {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

const A: Box = { x0: -15, x1: 9, y0: -7, y1: 13 };
const B: Box = { x0: -3, x1: 21, y0: -11, y1: 5 };
const C: Box = { x0: 15, x1: 25, y0: -25, y1: -15 };
/** A's planes: 2 mm apart; B's: 3 mm apart, interleaved with A's, two planes (0, 6) shared. */
const A_PLANES = [-6, -4, -2, 0, 2, 4, 6];
const B_PLANES = [-3, 0, 3, 6, 9];

const doseGy = (x: number, y: number, z: number) => 10 + 0.2 * x + 0.05 * y + 0.1 * z;

/** 2 mm voxels over x, y in [-30, 30], frames z = -12 .. 12 every 2 mm; a dose linear in x, y and z. */
function grid(): DoseGrid {
  return makeDoseGrid({
    rows: 31,
    columns: 31,
    frames: 13,
    originMm: [-30, -30, -12],
    pixelSpacingMm: [2, 2],
    frameOffsetsMm: Array.from({ length: 13 }, (_, k) => 2 * k),
    orientation: 'HFS',
    scaling: 1e-5,
    dose: doseGy,
  });
}

const ring = (b: Box) => boxRing(b.x0, b.y0, b.x1, b.y1);

function structures() {
  return makeStructureSet([
    { number: 1, name: 'A', planes: A_PLANES.map((zMm) => ({ zMm, rings: [ring(A)] })) },
    { number: 2, name: 'B', planes: B_PLANES.map((zMm) => ({ zMm, rings: [ring(B)] })) },
    // One plane only: its thickness is known only from its partners or from thicknessMm.
    { number: 3, name: 'C', planes: [{ zMm: 0, rings: [ring(C)] }] },
    // In-plane outside the dose grid.
    { number: 4, name: 'Far', planes: [0, 2].map((zMm) => ({ zMm, rings: [boxRing(101, 101, 111, 111)] })) },
    { number: 5, name: 'Far2', planes: [0, 2].map((zMm) => ({ zMm, rings: [boxRing(121, 101, 131, 111)] })) },
    // Names that differ only in case: an exact match wins over a case-insensitive one.
    { number: 6, name: 'gtv', planes: [0, 2].map((zMm) => ({ zMm, rings: [ring(C)] })) },
    { number: 7, name: 'GTV', planes: [0, 2].map((zMm) => ({ zMm, rings: [ring(B)] })) },
    // A vertex beyond any patient: the ROI is defective.
    { number: 8, name: 'Broken', planes: [{ zMm: 0, rings: [[[0, 0], [1e9, 0], [0, 5]]] }] },
    { number: 9, name: 'Empty', planes: [] },
    // Left and lower edges through voxel centres (even mm): samples lie exactly on them.
    { number: 10, name: 'OnSamples', planes: [-4, -2, 0, 2, 4].map((zMm) => ({ zMm, rings: [boxRing(-10, -6, -3, 7)] })) },
    { number: 12, name: 'Slab', planes: [-2, 0, 2, 4, 6, 8].map((zMm) => ({ zMm, rings: [boxRing(-21, -15, 19, 15)] })) },
    // A 64-gon off the lattice.
    { number: 11, name: 'Round', planes: [-4, -2, 0, 2, 4].map((zMm) => ({ zMm, rings: [circleRing(-12.3, -13.7, 6.2, 64)] })) },
  ]);
}

type Pred = (x: number, y: number) => boolean;
const inBox = (b: Box): Pred => (x, y) => b.x0 < x && x < b.x1 && b.y0 < y && y < b.y1;

/**
 * The dicompyler model by enumeration: on each plane, the voxel centres (x, y = -30 + 2i) the
 * combination holds, with operands absent from a plane holding nothing there.
 */
function dicompylerTruth(planes: readonly { zMm: number; inside: Pred }[], thicknessMm: number): { volumeCm3: number; meanGy: number } {
  let count = 0;
  let doseSum = 0;
  for (const { zMm, inside } of planes) {
    for (let i = 0; i < 31; i += 1) {
      for (let j = 0; j < 31; j += 1) {
        const [x, y] = [-30 + 2 * i, -30 + 2 * j];
        if (!inside(x, y)) continue;
        count += 1;
        doseSum += doseGy(x, y, zMm);
      }
    }
  }
  return { volumeCm3: (count * 4 * thicknessMm) / 1000, meanGy: doseSum / count };
}

/** A box's solid from z0 to z1: its volume (mm^3) and, as the dose is linear, its mean dose (the dose at its centroid). */
function solid(b: Box, z0: number, z1: number) {
  const volumeMm3 = (b.x1 - b.x0) * (b.y1 - b.y0) * (z1 - z0);
  return { volumeMm3, doseMm3: volumeMm3 * doseGy((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, (z0 + z1) / 2) };
}
const both = (p: Box, q: Box): Box => ({ x0: Math.max(p.x0, q.x0), x1: Math.min(p.x1, q.x1), y0: Math.max(p.y0, q.y0), y1: Math.min(p.y1, q.y1) });
/** Signed sum of solids (inclusion-exclusion) as a volume (cm^3) and a mean dose. */
function solids(parts: readonly [number, ReturnType<typeof solid>][]): { volumeCm3: number; meanGy: number } {
  const v = parts.reduce((s, [w, p]) => s + w * p.volumeMm3, 0);
  const d = parts.reduce((s, [w, p]) => s + w * p.doseMm3, 0);
  return { volumeCm3: v / 1000, meanGy: d / v };
}

function byName(dvhs: readonly RoiDvh[], name: string) {
  const found = dvhs.find((d) => d.name === name);
  if (!found) throw new Error(`no DVH named ${name} among ${dvhs.map((d) => d.name).join(', ')}`);
  return found.dvh;
}

const expr = (name: string, expression: string) => ({ name, expression });

describe('derived ROIs against hand-computed truth: the dicompyler algorithm', () => {
  const ss = structures();
  const dose = grid();
  const aOn = (z: number) => A_PLANES.includes(z);
  const bOn = (z: number) => B_PLANES.includes(z);
  const union = [...new Set([...A_PLANES, ...B_PLANES])];
  const inA = inBox(A);
  const inB = inBox(B);

  it('A & B, A | B, A - B and B - A on interleaved planes 2 and 3 mm apart: volumes and means of the per-plane model, thickness 2 mm', async () => {
    const r = await calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: 'cpu', rois: [expr('I', 'A & B'), expr('U', 'A | B'), expr('D', 'A - B'), expr('E', 'B - A')] });
    expect(r.errors).toEqual([]);
    const truth = {
      I: dicompylerTruth(union.map((z) => ({ zMm: z, inside: (x: number, y: number) => aOn(z) && bOn(z) && inA(x, y) && inB(x, y) })), 2),
      U: dicompylerTruth(union.map((z) => ({ zMm: z, inside: (x: number, y: number) => (aOn(z) && inA(x, y)) || (bOn(z) && inB(x, y)) })), 2),
      D: dicompylerTruth(union.map((z) => ({ zMm: z, inside: (x: number, y: number) => aOn(z) && inA(x, y) && !(bOn(z) && inB(x, y)) })), 2),
      E: dicompylerTruth(union.map((z) => ({ zMm: z, inside: (x: number, y: number) => bOn(z) && inB(x, y) && !(aOn(z) && inA(x, y)) })), 2),
    };
    // By hand: A holds 12 x 10 voxels of 4 mm^2 on 7 planes, B 12 x 8 on 5, A & B 6 x 6 on the 2 shared.
    expect(truth.I.volumeCm3).toBeCloseTo((2 * 36 * 4 * 2) / 1000, 12);
    expect(truth.U.volumeCm3).toBeCloseTo(((2 * (120 + 96 - 36) + 5 * 120 + 3 * 96) * 4 * 2) / 1000, 12);
    for (const [name, t] of Object.entries(truth)) {
      const dvh = byName(r.dvhs, name);
      expect(dvh.volume, name).toBeCloseTo(t.volumeCm3, 9);
      // 1 cGy bins: the mean of the histogram is within half a bin of the voxels' mean.
      expect(Math.abs(dvh.mean - t.meanGy), name).toBeLessThanOrEqual(0.005 + 1e-9);
    }
  });

  it('a one-plane operand takes its partners\' spacing; alone it needs thicknessMm, which then sets the thickness of every plane', async () => {
    const r = await calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: 'cpu', rois: [expr('AC', 'A | C'), expr('CC', 'C | C')] });
    const ac = dicompylerTruth(union.filter(aOn).map((z) => ({ zMm: z, inside: (x: number, y: number) => inA(x, y) || (z === 0 && inBox(C)(x, y)) })), 2);
    expect(byName(r.dvhs, 'AC').volume).toBeCloseTo(ac.volumeCm3, 9);
    expect(ac.volumeCm3).toBeCloseTo(((7 * 120 + 25) * 4 * 2) / 1000, 12);
    expect(r.errors.map((e) => [e.roi, e.name, e.code])).toEqual([[-2, 'CC', 'E_UNKNOWN_THICKNESS']]);
    expect(r.errors[0].message).toContain('ROI -2 "CC" = C | C');
    expect(r.errors[0].message).toMatch(/pass thicknessMm/);

    const thick = await calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: 'cpu', thicknessMm: 2.5, rois: [expr('CC', 'C | C'), expr('I', 'A & B')] });
    expect(thick.errors).toEqual([]);
    expect(byName(thick.dvhs, 'CC').volume).toBeCloseTo((25 * 4 * 2.5) / 1000, 12);
    expect(byName(thick.dvhs, 'I').volume).toBeCloseTo((2 * 36 * 4 * 2.5) / 1000, 12);
  });

  it('the smaller of two operands\' spacings is the thickness, whichever comes first', async () => {
    const r = await calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: 'cpu', rois: [expr('BA', 'B | A'), expr('AB', 'A | B')] });
    expect(byName(r.dvhs, 'BA').volume).toBeCloseTo(byName(r.dvhs, 'AB').volume, 12);
    expect(byName(r.dvhs, 'BA').volume).toBeCloseTo(((2 * (120 + 96 - 36) + 5 * 120 + 3 * 96) * 4 * 2) / 1000, 9);
  });
});

describe('derived ROIs against the solids: the precise algorithm', () => {
  const ss = structures();
  const dose = grid();
  // A's slabs: z in [-7, 7]; B's: [-4.5, 10.5]; C alone, with 2 mm from A: [-1, 1].
  const a = solid(A, -7, 7);
  const b = solid(B, -4.5, 10.5);
  const ab = solid(both(A, B), -4.5, 7);
  const truth = {
    I: solids([[1, ab]]),
    U: solids([[1, a], [1, b], [-1, ab]]),
    D: solids([[1, a], [-1, ab]]),
    E: solids([[1, b], [-1, ab]]),
  };

  for (const supersampling of [undefined, 3] as const) {
    it(`A & B, A | B, A - B, B - A: the volumes and mean doses of the solids (supersampling ${supersampling ?? 'automatic'})`, async () => {
      const r = await calculateDvhs(ss, dose, { algorithm: 'precise', backend: 'cpu', supersampling, rois: [expr('I', 'A & B'), expr('U', 'A | B'), expr('D', 'A - B'), expr('E', 'B - A')] });
      expect(r.errors).toEqual([]);
      // By hand: A & B is 12 x 12 mm by 11.5 mm.
      expect(truth.I.volumeCm3).toBeCloseTo((12 * 12 * 11.5) / 1000, 12);
      for (const [name, t] of Object.entries(truth)) {
        const dvh = byName(r.dvhs, name);
        expect(dvh.volume, name).toBeCloseTo(t.volumeCm3, 6);
        expect(Math.abs(dvh.mean - t.meanGy), name).toBeLessThan(0.002);
      }
    });
  }

  it('a one-plane operand takes the shape\'s spacing; thicknessMm replaces every operand\'s own spacing', async () => {
    const r = await calculateDvhs(ss, dose, { algorithm: 'precise', backend: 'cpu', rois: [expr('AC', 'A | C'), expr('CC', 'C | C')] });
    expect(byName(r.dvhs, 'AC').volume).toBeCloseTo(solids([[1, a], [1, solid(C, -1, 1)]]).volumeCm3, 6);
    expect(r.errors.map((e) => [e.roi, e.code])).toEqual([[-2, 'E_UNKNOWN_THICKNESS']]);
    expect(r.errors[0].message).toContain('ROI -2 "CC" = C | C');

    const thick = await calculateDvhs(ss, dose, { algorithm: 'precise', backend: 'cpu', thicknessMm: 2.5, rois: [expr('CC', 'C | C'), expr('I', 'A & B')] });
    expect(thick.errors).toEqual([]);
    expect(byName(thick.dvhs, 'CC').volume).toBeCloseTo(solid(C, -1.25, 1.25).volumeMm3 / 1000, 6);
    // B's planes, 3 mm apart, now hold 2.5 mm slabs with 0.5 mm gaps between them; the four
    // centred on -3, 0, 3 and 6 lie inside A's, which now reach from -7.25 to 7.25.
    expect(byName(thick.dvhs, 'I').volume).toBeCloseTo((4 * solid(both(A, B), -1.25, 1.25).volumeMm3) / 1000, 6);
  });

  it('operand order does not change a union or an intersection', async () => {
    const r = await calculateDvhs(ss, dose, { algorithm: 'precise', backend: 'cpu', supersampling: 3, rois: [expr('BA', 'B | A'), expr('IBA', 'B & A')] });
    expect(byName(r.dvhs, 'BA').volume).toBeCloseTo(truth.U.volumeCm3, 6);
    expect(byName(r.dvhs, 'IBA').volume).toBeCloseTo(truth.I.volumeCm3, 6);
  });
});

describe('derived ROIs on the precise algorithm\'s two shifted lattices and its automatic supersampling', () => {
  const ss = structures();
  const dose = grid();

  for (const supersampling of [1, 3]) {
    it(`a box with two edges through samples: the samples on an edge count half, so the volume is the box's (supersampling ${supersampling})`, async () => {
      const r = await calculateDvhs(ss, dose, { algorithm: 'precise', backend: 'cpu', supersampling, rois: [expr('P', 'OnSamples | OnSamples')] });
      expect(r.errors).toEqual([]);
      // The documented rule, by enumeration: the mean of the counts on the lattice moved by
      // +1e-6 mm and by -1e-6 mm along x and y, each sample (2 / s mm)^2 in area; planes -4 .. 4
      // mm, 2 mm apart: z from -5 to 5. Counted twice on one of the lattices, the samples on the
      // left and lower edges would count on both passes or on neither.
      const axis = (from: number, to: number, shift: number) => {
        let n = 0;
        for (let i = 0; i < 31; i += 1) for (let j = 0; j < supersampling; j += 1) {
          const v = -30 + 2 * i + ((j + 0.5) / supersampling - 0.5) * 2 + shift;
          if (from < v && v < to) n += 1;
        }
        return n;
      };
      const meanCount = (axis(-10, -3, 1e-6) * axis(-6, 7, 1e-6) + axis(-10, -3, -1e-6) * axis(-6, 7, -1e-6)) / 2;
      expect(byName(r.dvhs, 'P').volume).toBeCloseTo((meanCount * (2 / supersampling) ** 2 * 10) / 1000, 9);
      // Within a sample row of the box's own 7 x 13 x 10 mm.
      expect(Math.abs(byName(r.dvhs, 'P').volume - 0.91)).toBeLessThan(((7 + 13) * (2 / supersampling) * 10) / 1000);
    });
  }

  it('the supersampling is the one an ROI of the operands\' summed volume gets, each operand\'s volume with its own spacing', async () => {
    const shoelaceMm2 = (ring: number[][]) => Math.abs(ring.reduce((a, [x, y], k) => a + x * ring[(k + 1) % ring.length][1] - ring[(k + 1) % ring.length][0] * y, 0)) / 2;
    // Round: 5 planes 2 mm apart, 10 mm of slabs; Slab: 40 x 30 mm on 6 planes 2 mm apart, 12 mm.
    const volumeMm3 = shoelaceMm2(circleRing(-12.3, -13.7, 6.2, 64)) * 10 + 40 * 30 * 12;
    const factors = chooseFactors(volumeMm3, dose, 2, {});
    expect(factors.inPlane).toBeGreaterThan(1);
    // Near a step of the rule, so that an operand counted twice would change the supersampling.
    expect(chooseFactors(volumeMm3 + 40 * 30 * 12, dose, 2, {}).inPlane).not.toBe(factors.inPlane);
    const automatic = await calculateDvhs(ss, dose, { algorithm: 'precise', backend: 'cpu', rois: [expr('R', 'Round | Slab')] });
    const fixed = await calculateDvhs(ss, dose, { algorithm: 'precise', backend: 'cpu', supersampling: factors, rois: [expr('R', 'Round | Slab')] });
    const a = byName(automatic.dvhs, 'R');
    const f = byName(fixed.dvhs, 'R');
    expect(a.volume).toBe(f.volume);
    expect(Array.from(a.counts)).toEqual(Array.from(f.counts));
    // Another supersampling counts other samples: the comparison above can tell them apart.
    const other = await calculateDvhs(ss, dose, { algorithm: 'precise', backend: 'cpu', supersampling: { inPlane: factors.inPlane + 2, throughSlab: factors.throughSlab }, rois: [expr('R', 'Round | Slab')] });
    expect(byName(other.dvhs, 'R').volume).not.toBe(f.volume);
    // An operand named twice is one operand: its volume counts once.
    const twice = await calculateDvhs(ss, dose, { algorithm: 'precise', backend: 'cpu', rois: [expr('R', 'Slab | Round | Slab')] });
    expect(byName(twice.dvhs, 'R').volume).toBe(f.volume);
  });
});

describe('the dicompyler algorithm\'s derived ROI is an ROI of closed planar contours', () => {
  it('on each plane, rings with their point count, at the plane\'s z, selecting exactly the combination\'s voxels', async () => {
    const ss = structures();
    const dose = grid();
    const request = expr('D', 'A - B');
    const derived = await resolveDerivedRoi(request, parseRoiRequest(request), -1, ss);
    const result = dicompylerDerived(derived, voxelCentreSampling(dose), {});
    if (!('roi' in result)) throw new Error(`no ROI: ${result.message}`);
    expect(result.thicknessMm).toBe(2);
    expect(result.roi.empty).toBe(false);
    expect(result.roi.planes.map((p) => p.zMm)).toEqual(A_PLANES);
    for (const plane of result.roi.planes) {
      expect(plane.contours.length).toBeGreaterThan(0);
      for (const c of plane.contours) {
        expect(c.geometricType).toBe('CLOSED_PLANAR');
        expect(c.pointCount * 3).toBe(c.pointsMm.length);
        for (let k = 2; k < c.pointsMm.length; k += 3) expect(c.pointsMm[k]).toBe(plane.zMm);
      }
    }
  });
});

describe('derived ROIs: why there is no DVH', () => {
  const ss = structures();
  const dose = grid();

  for (const algorithm of ['dicompyler', 'precise'] as const) {
    it(`${algorithm}: operands outside the dose grid are E_NO_DOSE_OVERLAP; operands on it whose combination is empty are E_EMPTY_ROI`, async () => {
      const r = await calculateDvhs(ss, dose, { algorithm, backend: 'cpu', rois: [expr('Out', 'Far | Far2'), expr('Gone', 'A & Far'), expr('Apart', 'A & C')] });
      expect(r.dvhs).toEqual([]);
      expect(r.errors.map((e) => [e.roi, e.name, e.code])).toEqual([
        [-1, 'Out', 'E_NO_DOSE_OVERLAP'],
        [-2, 'Gone', 'E_EMPTY_ROI'],
        [-3, 'Apart', 'E_EMPTY_ROI'],
      ]);
      expect(r.errors[0].message).toContain('ROI -1 "Out" = Far | Far2');
      expect(r.errors[0].message).toMatch(/outside the dose grid/);
      expect(r.errors[1].message).toContain('ROI -2 "Gone" = A & Far');
      expect(r.errors[1].message).toMatch(/holds no sample/);
    });

    it(`${algorithm}: operands without contours are E_EMPTY_ROI, with one outside the grid E_NO_DOSE_OVERLAP, with a one-plane operand E_UNKNOWN_THICKNESS`, async () => {
      const r = await calculateDvhs(ss, dose, { algorithm, backend: 'cpu', rois: [expr('None', 'Empty | Empty'), expr('Out', 'Far | Empty'), expr('Thin', 'C | Empty')] });
      expect(r.dvhs).toEqual([]);
      // (Failures found while planning come before those found while counting.)
      expect(r.errors.map((e) => [e.name, e.code]).sort()).toEqual([
        ['None', 'E_EMPTY_ROI'],
        ['Out', 'E_NO_DOSE_OVERLAP'],
        ['Thin', 'E_UNKNOWN_THICKNESS'],
      ]);
    });
  }
});

describe('derived ROIs: resolving names', () => {
  const ss = structures();
  const dose = grid();

  it('an exact name wins over one that differs only in case; a name found only case-insensitively still resolves', async () => {
    const r = await calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: 'cpu', rois: [expr('lower', 'gtv | gtv'), expr('upper', 'GTV | GTV'), expr('other', 'a | a')] });
    expect(r.errors).toEqual([]);
    expect(byName(r.dvhs, 'lower').volume).toBeCloseTo((2 * 25 * 4 * 2) / 1000, 12);
    expect(byName(r.dvhs, 'upper').volume).toBeCloseTo((2 * 96 * 4 * 2) / 1000, 12);
    expect(byName(r.dvhs, 'other').volume).toBeCloseTo((7 * 120 * 4 * 2) / 1000, 12);
  });

  it('an unknown ROI lists the set\'s ROIs; the hint about "-" comes only for a bare name holding one', async () => {
    const r = await calculateDvhs(ss, dose, { backend: 'cpu', rois: [expr('X', 'A | Lung-L'), expr('Y', 'A | "Lung-L"'), expr('Z', 'A | Lung')] });
    expect(r.errors.map((e) => e.code)).toEqual(['E_ROI_NOT_FOUND', 'E_ROI_NOT_FOUND', 'E_ROI_NOT_FOUND']);
    for (const e of r.errors) expect(e.message).toContain('it has 1 "A", 2 "B", 3 "C", 4 "Far"');
    expect(r.errors[0].message).toContain('ROI -1 "X" = A | Lung-L');
    expect(r.errors[0].message).toMatch(/write A - B with spaces/);
    expect(r.errors[1].message).not.toMatch(/write A - B/);
    expect(r.errors[2].message).not.toMatch(/write A - B/);
    // Without the hint, the list follows the file's name at once.
    expect(r.errors[1].message).toContain(`no ROI "Lung-L" (column 5) in ${ss.source}; it has 1 "A"`);
    expect(r.errors[2].message).toContain(`no ROI "Lung" (column 5) in ${ss.source}; it has 1 "A"`);
  });

  it('a margin of 0 on every axis is the operand itself; a margin on one axis grows the operand along that axis only', async () => {
    const r = await calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: 'cpu', rois: ['A', expr('Same', 'expand(A, 0)'), expr('Wider', 'expand(A, [2, 0, 0])')] });
    expect(r.errors).toEqual([]);
    expect(Array.from(byName(r.dvhs, 'Same').counts)).toEqual(Array.from(byName(r.dvhs, 'A').counts));
    // 2 mm more on each side in x: 14 voxel columns instead of 12, the same 10 rows and 7 planes.
    expect(byName(r.dvhs, 'Wider').volume).toBeCloseTo((7 * 14 * 10 * 4 * 2) / 1000, 9);
  });

  it('a defective operand fails only its expression, with its defect\'s code and the operand named', async () => {
    const r = await calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: 'cpu', rois: [expr('Bad', 'A | Broken'), expr('Good', 'A & B')] });
    expect(r.dvhs.map((d) => d.name)).toEqual(['Good']);
    expect(r.errors.map((e) => [e.name, e.code])).toEqual([['Bad', 'E_MALFORMED_DICOM']]);
    expect(r.errors[0].message).toContain('operand ROI 8 "Broken"');
  });

  it('parseRoiRequest takes only {name, expression} with a non-empty name and a string expression', () => {
    expect(parseRoiRequest({ name: 'N', expression: 'A & B' })).toMatchObject({ kind: 'intersection' });
    for (const bad of [null, 'A & B', { name: '  ', expression: 'A' }, { name: 3, expression: 'A' }, { name: 'N', expression: 7 }, { expression: 'A' }, { name: 'N' }]) {
      expect(() => parseRoiRequest(bad as never), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    }
  });
});
