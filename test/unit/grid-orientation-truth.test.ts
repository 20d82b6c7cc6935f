// SPDX-License-Identifier: BSD-3-Clause
// Both DVH algorithms on a grid with non-square pixels (2 mm along patient x, 2.5 mm along y,
// frames 3 mm apart) in all eight orientations, for a box in a dose linear along x, y or z.
// The expected values are worked by hand from the box and the documented models (README, "The
// precise algorithm" and "The dicompyler algorithm"), never taken from dosekit's own output.
// Also: the precise algorithm's rule for samples past the first and last dose frames.
import { describe, expect, it } from 'vitest';
import { getDvh } from '../../src/dvh/calculate.js';
import type { DvhCalculationOptions } from '../../src/dvh/calculation-options.js';
import type { DVH } from '../../src/dvh/dvh.js';
import type { DoseGrid } from '../../src/model/dose-grid.js';
import type { PatientOrientation } from '../../src/model/orientation.js';
import { ALL_ORIENTATIONS, boxRing, makeDoseGrid, makeStructureSet, orientedLayout } from '../helpers/synthetic.js';

type DoseFn = (x: number, y: number, z: number) => number;

/**
 * One physical lattice in every orientation: x = -30..30 step 2 mm, y = -30..30 step 2.5 mm,
 * frames z = 0..24 step 3 mm. Non-decubitus grids have columns along x; decubitus grids have
 * rows along x (PixelSpacing [2, 2.5]); feet-first grids run z downwards from 24.
 */
function orientedGrid(orientation: PatientOrientation, dose: DoseFn): DoseGrid {
  return makeDoseGrid({ ...orientedLayout(orientation, { xCount: 31, yCount: 25, halfExtentMm: 30, topZMm: 24 }), frames: 9, frameOffsetsMm: [0, 3, 6, 9, 12, 15, 18, 21, 24], scaling: 1e-6, dose });
}

/**
 * The box x -9..7, y -6.25..8.75 (240 mm^2) on contour planes z = 6, 9, 12, 15, 18.
 * Precise: half end caps give z 4.5..19.5, 240 x 15 = 3600 mm^3; centroid (-1, 1.25, 12).
 * With 5 x 5 cells per voxel (0.4 x 0.5 mm) the box edges lie on cell boundaries of this
 * lattice (x = -31 + 0.4 k, y = -31.25 + 0.5 k), so the samples tile the box exactly.
 * Dicompyler: voxel centres x -8, -6, ..., 6 (8, mean -1), y -5, -2.5, ..., 7.5 (6, mean 1.25),
 * 48 x 5 mm^2 = 240 mm^2 per plane, slabs 3 mm: 3600 mm^3; planes z mean 12.
 */
const BOX_SS = makeStructureSet([{ number: 1, name: 'box', planes: [6, 9, 12, 15, 18].map((zMm) => ({ zMm, rings: [boxRing(-9, -6.25, 7, 8.75)] })) }]);

const PRECISE: DvhCalculationOptions = { algorithm: 'precise', backend: 'cpu', supersampling: { inPlane: 5, throughSlab: 3 } };
const DICOMPYLER: DvhCalculationOptions = { algorithm: 'dicompyler', backend: 'cpu' };

interface AxisCase {
  readonly axis: 'x' | 'y' | 'z';
  /** Dose in Gy at a patient point. */
  readonly dose: DoseFn;
  /** Gradient along the axis, cGy/mm, and the precise model's cell size along it, mm. */
  readonly gradientCGyPerMm: number;
  readonly cellMm: number;
  /** Precise: dose at the centroid and at the two faces, cGy. */
  readonly precise: { mean: number; min: number; max: number };
  /** Dicompyler: mean of the voxel-centre doses and the 1 cGy bins' upper edges of the extreme centres, cGy. */
  readonly dicompyler: { mean: number; min: number; max: number };
}

// The doses are x.5 cGy at every voxel centre (and every contour plane), so the dicompyler
// algorithm's 1 cGy bins have their centres on the doses and its mean is exact.
const CASES: readonly AxisCase[] = [
  {
    // 500.5 + 10 x cGy: faces x = -9 and 7 give 410.5 and 570.5; centroid x = -1 gives 490.5.
    // Centres x = -8 .. 6: 420.5 (bin 420, upper edge 421) .. 560.5 (upper edge 561).
    axis: 'x',
    dose: (x) => (500.5 + 10 * x) / 100,
    gradientCGyPerMm: 10,
    cellMm: 0.4,
    precise: { mean: 490.5, min: 410.5, max: 570.5 },
    dicompyler: { mean: 490.5, min: 421, max: 561 },
  },
  {
    // 500.5 + 4 y cGy: faces y = -6.25 and 8.75 give 475.5 and 535.5; centroid y = 1.25 gives 505.5.
    // Centres y = -5 .. 7.5: 480.5 .. 530.5.
    axis: 'y',
    dose: (_x, y) => (500.5 + 4 * y) / 100,
    gradientCGyPerMm: 4,
    cellMm: 0.5,
    precise: { mean: 505.5, min: 475.5, max: 535.5 },
    dicompyler: { mean: 505.5, min: 481, max: 531 },
  },
  {
    // 500.5 + 2 z cGy: end faces z = 4.5 and 19.5 give 509.5 and 539.5; centroid z = 12 gives 524.5.
    // Planes z = 6 .. 18: 512.5 .. 536.5.
    axis: 'z',
    dose: (_x, _y, z) => (500.5 + 2 * z) / 100,
    gradientCGyPerMm: 2,
    cellMm: 1,
    precise: { mean: 524.5, min: 509.5, max: 539.5 },
    dicompyler: { mean: 524.5, min: 513, max: 537 },
  },
];

/**
 * Differential volume per bin, cm^3, over the bins that lie at least `marginCGy` inside
 * [lowCGy, highCGy].
 */
function interiorBins(dvh: DVH, lowCGy: number, highCGy: number, marginCGy: number): number[] {
  const diff = dvh.differential;
  const edges = diff.bins;
  const out: number[] = [];
  diff.counts.forEach((v, b) => {
    const lo = edges[b] * 100;
    const hi = edges[b + 1] * 100;
    if (lo >= lowCGy + marginCGy && hi <= highCGy - marginCGy) out.push(v);
  });
  return out;
}

describe('precise and dicompyler algorithms: a box in a linear dose, 2 x 2.5 mm pixels, every orientation', () => {
  for (const c of CASES) {
    for (const orientation of ALL_ORIENTATIONS) {
      it(`${orientation}, dose along ${c.axis}: precise volume, mean, extremes and a flat histogram`, async () => {
        const dvh = await getDvh(BOX_SS, orientedGrid(orientation, c.dose), 1, PRECISE);
        expect(dvh.volume).toBeCloseTo(3.6, 9);
        // The mean of a linear dose over a box is its dose at the centroid (samples tile the box).
        expect(Math.abs(dvh.mean * 100 - c.precise.mean)).toBeLessThan(0.1);
        // Dmin and Dmax lie on the faces, which the precise algorithm evaluates.
        expect(Math.abs(dvh.min * 100 - c.precise.min)).toBeLessThan(0.1);
        expect(Math.abs(dvh.max * 100 - c.precise.max)).toBeLessThan(0.1);
        // The dose is uniform over the box's dose range: every 0.1 cGy bin holds
        // 3.6 cm^3 x 0.1 / range, as long as each sample's cell is spread over the dose
        // interval its cell really spans (gradient x cell size along the axis).
        const rangeCGy = c.precise.max - c.precise.min;
        const expected = (3.6 * 0.1) / rangeCGy;
        const bins = interiorBins(dvh, c.precise.min, c.precise.max, 2 * c.gradientCGyPerMm * c.cellMm);
        expect(bins.length).toBeGreaterThan(100);
        for (const v of bins) expect(Math.abs(v - expected) / expected).toBeLessThan(0.01);
      });

      it(`${orientation}, dose along ${c.axis}: dicompyler voxel centres inside the box`, async () => {
        const dvh = await getDvh(BOX_SS, orientedGrid(orientation, c.dose), 1, DICOMPYLER);
        expect(dvh.volume).toBeCloseTo(3.6, 9);
        expect(dvh.mean * 100).toBeCloseTo(c.dicompyler.mean, 6);
        expect(dvh.min * 100).toBeCloseTo(c.dicompyler.min, 6);
        expect(dvh.max * 100).toBeCloseTo(c.dicompyler.max, 6);
      });
    }
  }
});

describe('precise algorithm: samples past the first and last dose frames (HFS, frames z = 0 .. 24, 3 mm apart)', () => {
  // Uniform in-plane; along z piecewise linear between the frames, with these doses (cGy) at them:
  // z = 0: 420.5, 3: 300.5, 6 .. 18: 500.5, 21: 300.5, 24: 420.5. The end frames' dose is neither
  // the lowest nor the highest in either structure, so the rule for samples past them is seen in
  // the mean without the extremes in the way. Within half a frame spacing (1.5 mm) beyond an end
  // frame the README's rule gives the end frame's dose; further out a sample has no dose.
  const FRAME_CGY: readonly (readonly [number, number])[] = [
    [0, 420.5],
    [3, 300.5],
    [6, 500.5],
    [18, 500.5],
    [21, 300.5],
    [24, 420.5],
  ];
  const doseZ = (z: number): number => {
    for (let k = 1; k < FRAME_CGY.length; k += 1) {
      const [z0, d0] = FRAME_CGY[k - 1];
      const [z1, d1] = FRAME_CGY[k];
      if (z <= z1 + 1e-9) return (d0 + ((z - z0) / (z1 - z0)) * (d1 - d0)) / 100;
    }
    throw new Error(`no dose at z = ${z}`);
  };
  const rules = (ss: ReturnType<typeof makeStructureSet>, options: DvhCalculationOptions = {}) =>
    getDvh(ss, orientedGrid('HFS', (_x, _y, z) => doseZ(z)), 1, { ...PRECISE, supersampling: { inPlane: 5, throughSlab: 2 }, ...options });
  const box = boxRing(-9, -6.25, 7, 8.75);

  // Planes z = 18, 21, 24, 27: slabs 16.5 .. 28.5 (12 mm: 240 x 12 = 2880 mm^3), 2 sub-slabs of
  // 1.5 mm per slab, centred at z = 17.25, 18.75, ..., 27.75 (the frames are sub-slab boundaries).
  // 24.75 (0.75 mm past the last frame) takes frame 24; 26.25 and 27.75 (2.25 and 3.75 mm past)
  // have no dose. Doses of the six with dose: 17.25: 500.5; 18.75: 500.5 - 200/3 x 0.75 = 450.5;
  // 20.25: 350.5; 21.75: 300.5 + 40 x 0.75 = 330.5; 23.25: 390.5; 24.75: 420.5. Sum 2443 cGy.
  const top = makeStructureSet([{ number: 1, name: 'top', planes: [18, 21, 24, 27].map((zMm) => ({ zMm, rings: [box] })) }]);
  // Planes z = -3, 0, 3, 6: slabs -4.5 .. 7.5, sub-slabs centred at z = -3.75, ..., 6.75.
  // -0.75 takes frame 0 (420.5); -2.25 and -3.75 have no dose. The others: 0.75: 390.5;
  // 2.25: 330.5; 3.75: 350.5; 5.25: 450.5; 6.75: 500.5. Sum 2443 cGy.
  const bottom = makeStructureSet([{ number: 1, name: 'bottom', planes: [-3, 0, 3, 6].map((zMm) => ({ zMm, rings: [box] })) }]);

  // Every sample's cell lies within one linear piece of the dose and inside [300.5, 500.5], so the
  // mean is the mean of the sub-slab centre doses (equal volumes).
  const cases = [
    { name: 'past the last frame', ss: top, meanCGy: 2443 / 6 },
    { name: 'before the first frame', ss: bottom, meanCGy: 2443 / 6 },
  ];
  for (const c of cases) {
    it(`${c.name}: mean from the samples with dose, full prism volume`, async () => {
      const dvh = await rules(c.ss);
      expect(Math.abs(dvh.mean * 100 - c.meanCGy)).toBeLessThan(0.1);
      expect(Math.abs(dvh.min * 100 - 300.5)).toBeLessThan(0.1);
      expect(Math.abs(dvh.max * 100 - 500.5)).toBeLessThan(0.1);
      // calculateFullVolume (default): the prism model's volume, 240 mm^2 x 12 mm.
      expect(dvh.volume).toBeCloseTo(2.88, 9);
      expect(dvh.notes).toBeDefined();
    });

    it(`${c.name}: volume within the grid is the 9 mm of sub-slabs with dose`, async () => {
      const dvh = await rules(c.ss, { calculateFullVolume: false });
      expect(Math.abs(dvh.mean * 100 - c.meanCGy)).toBeLessThan(0.1);
      // Six sub-slabs of 1.5 mm with dose: 240 mm^2 x 9 mm.
      expect(dvh.volume).toBeCloseTo(2.16, 9);
    });
  }
});
