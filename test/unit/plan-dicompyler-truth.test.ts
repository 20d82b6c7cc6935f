// SPDX-License-Identifier: BSD-3-Clause
// The dicompyler algorithm's plan (src/dvh/plan-dicompyler.ts) on small synthetic cases: the
// supersampled lattice on decubitus and non-decubitus grids, the sub-planes of
// interpolationSegmentsBetweenPlanes and where their dose comes from, volume-only sub-planes
// beyond the dose frames, the per-ROI failures and their messages, a histogram that fills bin 0
// only, and the bin edges past MAX_HISTOGRAM_BINS. Every expected value is worked by hand from the
// inputs (voxel centres counted, doses from the closed-form dose), never taken from dosekit.
//
// Standard grid (test/helpers/synthetic.ts): HFS, columns along x = -20, -18, ..., 20 (2 mm),
// rows along y = -20, -17.5, ..., 20 (2.5 mm), frames z = 0, 2, 4, 6, 8; voxel area 5 mm^2.
// BOX x -5..3, y -3.75..3.75 holds the voxel centres x -4, -2, 0, 2 and y -2.5, 0, 2.5:
// 12 centres, 60 mm^2 per plane.
import { describe, expect, it } from 'vitest';
import { calculateDvhs, getDvh } from '../../src/dvh/calculate.js';
import type { DvhCalculationOptions } from '../../src/dvh/calculation-options.js';
import type { DVH } from '../../src/dvh/dvh.js';
import { NOTE_FULL, NOTE_WITHIN, dicompylerSampling } from '../../src/dvh/plan-dicompyler.js';
import type { DoseGrid } from '../../src/model/dose-grid.js';
import type { StructureSet } from '../../src/model/structure-set.js';
import { type SyntheticRoi, boxRing, makeDoseGrid, makeStructureSet, orientedLayout, standardGrid } from '../helpers/synthetic.js';

const DICOMPYLER: DvhCalculationOptions = { algorithm: 'dicompyler', backend: 'cpu' };
const BOX = boxRing(-5, -3.75, 3, 3.75);
/** The BOX outline again with an extra (collinear) vertex: the same region, but not a repeat of BOX. */
const BOX_WITH_MIDPOINT = [[-5, -3.75], [-1, -3.75], [3, -3.75], [3, 3.75], [-5, 3.75]];
/** Wholly beyond the grid in x (the grid ends at x = 20). */
const FAR_BOX = boxRing(100, -3.75, 110, 3.75);

/** 250.5 cGy everywhere: every sample in bin 250. */
const uniformGy = (): number => 2.505;
/**
 * 100.5 + 8 z cGy: x.5 cGy at every z that is a multiple of 1/16 mm, so the 1 cGy bin of a sample
 * (floor of its dose) is far from an edge and names the z its dose came from: bin = 100 + 8 z.
 * The stored values (scaling 0.001 Gy) are 1005 + 80 z at the frames; linear interpolation between
 * frames gives the same line.
 */
const linearZGy = (_x: number, _y: number, z: number): number => (100.5 + 8 * z) / 100;

function planes(zs: readonly number[], rings: readonly (readonly number[])[][]): SyntheticRoi['planes'] {
  return zs.map((zMm) => ({ zMm, rings }));
}

function boxRoi(zs: readonly number[]): StructureSet {
  return makeStructureSet([{ number: 1, name: 'box', planes: planes(zs, [BOX]) }]);
}

async function dvhOf(ss: StructureSet, grid: DoseGrid, options: DvhCalculationOptions = {}): Promise<DVH> {
  return getDvh(ss, grid, 1, { ...DICOMPYLER, ...options });
}

/** Non-empty bins of the differential DVH as [bin index, cm^3]. */
function nonEmptyBins(dvh: DVH): [number, number][] {
  const out: [number, number][] = [];
  dvh.differential.counts.forEach((c, i) => {
    if (Math.abs(c) > 1e-12) out.push([i, c]);
  });
  return out;
}

function expectBins(dvh: DVH, expected: readonly (readonly [number, number])[]): void {
  const got = nonEmptyBins(dvh);
  expect(got.map(([b]) => b)).toEqual(expected.map(([b]) => b));
  got.forEach(([, volumeCm3], k) => expect(volumeCm3).toBeCloseTo(expected[k][1], 12));
}

describe('dicompylerSampling: interpolationResolutionMm [between rows, between columns] on each axis', () => {
  // The lattice of the standard grid stored as HFS (columns along x, PixelSpacing [2.5, 2]) and as
  // HFDL (rows along x, PixelSpacing [2, 2.5]); frames z = 0, 2, 4.
  const layout = { xCount: 21, yCount: 17, halfExtentMm: 20, topZMm: 4 };
  const hfs = makeDoseGrid({ ...orientedLayout('HFS', layout), frames: 3, frameOffsetsMm: [0, 2, 4], scaling: 0.001, dose: uniformGy });
  const hfdl = makeDoseGrid({ ...orientedLayout('HFDL', layout), frames: 3, frameOffsetsMm: [0, 2, 4], scaling: 0.001, dose: uniformGy });
  // Both ask for 1 mm along x and 0.5 mm along y. On HFS rows are stacked along y, so the spacing
  // between rows (2.5 mm) is y's: [0.5, 1]. On HFDL rows are stacked along x (column cosines
  // [1, 0, 0]), so the spacing between rows (2 mm) is x's: [1, 0.5].
  const HFS_RESOLUTION: readonly [number, number] = [0.5, 1];
  const HFDL_RESOLUTION: readonly [number, number] = [1, 0.5];

  function steps(axis: Float64Array): number {
    return Math.abs(axis[1] - axis[0]);
  }

  it('HFS: lattice x steps by the column resolution (2 / 2 = 1 mm), y by the row resolution (2.5 / 5 = 0.5 mm)', () => {
    const s = dicompylerSampling(hfs, { ...DICOMPYLER, interpolationResolutionMm: HFS_RESOLUTION });
    expect(s.factorX).toBe(2);
    expect(s.factorY).toBe(5);
    expect(steps(s.lattice.xs)).toBeCloseTo(1, 12);
    expect(steps(s.lattice.ys)).toBeCloseTo(0.5, 12);
    expect(s.lattice.xs.length).toBe(21 * 2);
    expect(s.lattice.ys.length).toBe(17 * 5);
    expect(s.sampleAreaMm2).toBeCloseTo(0.5, 12);
  });

  it('HFDL (decubitus): lattice x runs along rows, so x takes the row resolution (2 / 2 = 1 mm) and y the column one (2.5 / 5 = 0.5 mm)', () => {
    const s = dicompylerSampling(hfdl, { ...DICOMPYLER, interpolationResolutionMm: HFDL_RESOLUTION });
    expect(s.factorX).toBe(2);
    expect(s.factorY).toBe(5);
    expect(steps(s.lattice.xs)).toBeCloseTo(1, 12);
    expect(steps(s.lattice.ys)).toBeCloseTo(0.5, 12);
    expect(s.lattice.xs.length).toBe(21 * 2);
    expect(s.lattice.ys.length).toBe(17 * 5);
  });

  // The box x -1..1, y -0.75..0.75 on planes z = 0, 2, 4 (slabs 2 mm). On the right lattice the
  // samples are x = -20.5 + i (inside: -0.5, 0.5) and y = -21 + 0.5 j (inside: -0.5, 0, 0.5):
  // 6 samples x 0.5 mm^2 = 3 mm^2 per plane, 3 x 3 x 2 = 18 mm^3 = 0.018 cm^3. With the factors
  // swapped (0.4 mm along x, 1.25 mm along y) it would hold 5 x 2 samples of 0.5 mm^2: 0.030 cm^3.
  const small = makeStructureSet([{ number: 1, name: 'small', planes: planes([0, 2, 4], [boxRing(-1, -0.75, 1, 0.75)]) }]);
  it('HFS and HFDL: a box between the fine samples has the volume of the right lattice', async () => {
    for (const [grid, resolution] of [[hfs, HFS_RESOLUTION], [hfdl, HFDL_RESOLUTION]] as const) {
      const dvh = await dvhOf(small, grid, { interpolationResolutionMm: resolution });
      expect(dvh.volume).toBeCloseTo(0.018, 12);
      expectBins(dvh, [[250, 0.018]]);
    }
  });
});

describe('sub-planes of interpolationSegmentsBetweenPlanes and their dose', () => {
  const grid = standardGrid(linearZGy);

  it('segments 1: planes z = 2, 3 (slab 1 mm) split at z -/+ 0.25 mm, each half its own dose interpolated between frames', async () => {
    // Sub-planes 1.75, 2.25 | 2.75, 3.25: doses 114.5, 118.5, 122.5, 126.5 cGy. Nearest-frame
    // dose (within 0.5 mm) would give 1.75 and 2.25 the frame z = 2's 116.5 cGy instead.
    // Each sub-plane: 12 centres x 5 mm^2 x 0.5 mm = 30 mm^3 = 0.03 cm^3.
    const dvh = await dvhOf(boxRoi([2, 3]), grid, { interpolationSegmentsBetweenPlanes: 1 });
    expectBins(dvh, [[114, 0.03], [118, 0.03], [122, 0.03], [126, 0.03]]);
    expect(dvh.volume).toBeCloseTo(0.12, 12);
    // The dicompyler lookup's extremes are upper bin edges.
    expect(dvh.min).toBeCloseTo(1.15, 12);
    expect(dvh.max).toBeCloseTo(1.27, 12);
  });

  it('segments 2: planes z = 3, 4.5 (slab 1.5 mm) split in three, the middle one at the plane itself', async () => {
    // Offsets ((k + 0.5) / 3 - 0.5) x 1.5 = -0.5, 0, +0.5 mm: z = 2.5, 3, 3.5 | 4, 4.5, 5,
    // doses 120.5, 124.5, 128.5, 132.5, 136.5, 140.5 cGy, each 60 mm^2 x 0.5 mm = 0.03 cm^3.
    const dvh = await dvhOf(boxRoi([3, 4.5]), grid, { interpolationSegmentsBetweenPlanes: 2 });
    expectBins(dvh, [[120, 0.03], [124, 0.03], [128, 0.03], [132, 0.03], [136, 0.03], [140, 0.03]]);
    expect(dvh.volume).toBeCloseTo(0.18, 12);
    // The mean of the bin centres 120.5 .. 140.5 cGy (step 4, equal volumes) is 130.5 cGy.
    expect(dvh.mean).toBeCloseTo(1.305, 12);
  });

  // Planes z = 2.25 and 4.25, 0.25 mm from frames 2 and 4 (slabs 2 mm, 60 mm^2 x 2 = 0.12 cm^3 each).
  const offFrame = boxRoi([2.25, 4.25]);

  it('interpolationResolutionMm alone also interpolates in z: planes 0.25 mm off a frame take 118.5 and 134.5 cGy', async () => {
    // Resolution equal to the spacing: one sample per voxel, the voxel centres.
    const dvh = await dvhOf(offFrame, grid, { interpolationResolutionMm: [2.5, 2] });
    expectBins(dvh, [[118, 0.12], [134, 0.12]]);
  });

  it('without interpolation options a plane within 0.5 mm of a frame takes that frame (116.5 and 132.5 cGy)', async () => {
    const dvh = await dvhOf(offFrame, grid);
    expectBins(dvh, [[116, 0.12], [132, 0.12]]);
  });
});

describe('volume-only sub-planes beyond the dose frames', () => {
  const grid = standardGrid(uniformGy);
  // Planes z = 4, 6, 10 (slab 2 mm, the smallest gap), segments 1: sub-planes 3.5, 4.5, 5.5, 6.5
  // inside the frames (0..8), 9.5 and 10.5 beyond them. Every sub-plane is 1 mm thick.
  const ss = boxRoi([4, 6, 10]);

  it('full volume: every sub-plane counts 60 mm^2 x 1 mm, 6 x 60 = 360 mm^3', async () => {
    const dvh = await dvhOf(ss, grid, { interpolationSegmentsBetweenPlanes: 1 });
    expect(dvh.volume).toBeCloseTo(0.36, 12);
    // The histogram (in-grid samples only) is rescaled to the whole volume.
    expectBins(dvh, [[250, 0.36]]);
    expect(dvh.notes).toBe(NOTE_FULL);
  });

  it('within the grid only: the 4 sub-planes inside, 240 mm^3', async () => {
    const dvh = await dvhOf(ss, grid, { interpolationSegmentsBetweenPlanes: 1, calculateFullVolume: false });
    expect(dvh.volume).toBeCloseTo(0.24, 12);
    expect(dvh.notes).toBe(NOTE_WITHIN);
  });
});

describe('failures: contours that cancel, and no sample counted', () => {
  const grid = standardGrid(uniformGy);
  const ss = makeStructureSet([
    // Plane 2 cancels (BOX twice, XOR), plane 4 has area but lies beyond the grid in x.
    { number: 1, name: 'cancelled and far', planes: [{ zMm: 2, rings: [BOX, BOX] }, { zMm: 4, rings: [FAR_BOX] }] },
    // Every plane holds BOX twice: 2 repeats.
    { number: 2, name: 'repeated', planes: planes([2, 4], [BOX, BOX]) },
    // Every plane holds two different outlines of one region: no repeat, yet they cancel.
    { number: 3, name: 'self-cancelling', planes: planes([2, 4], [BOX, BOX_WITH_MIDPOINT]) },
    // Wholly beyond the grid in x.
    { number: 4, name: 'far', planes: planes([2, 4], [FAR_BOX]) },
    // Inside the grid at 250.5 cGy.
    { number: 5, name: 'box', planes: planes([2, 4], [BOX]) },
  ]);

  it('an ROI with a plane that cancels and a plane with area outside the grid is E_NO_DOSE_OVERLAP, not E_EMPTY_ROI', async () => {
    const result = await calculateDvhs(ss, grid, { ...DICOMPYLER, rois: [1, 2, 3, 4, 5] });
    const codes = Object.fromEntries(result.errors.map((e) => [String(e.roi), e.code]));
    expect(codes).toEqual({ '1': 'E_NO_DOSE_OVERLAP', '2': 'E_EMPTY_ROI', '3': 'E_EMPTY_ROI', '4': 'E_NO_DOSE_OVERLAP' });
    // ROI 5: 2 planes x 60 mm^2 x 2 mm = 0.24 cm^3.
    expect(result.dvhs.map((d) => d.roi)).toEqual([5]);
    expect(result.dvhs[0].dvh.volume).toBeCloseTo(0.24, 12);
  });

  it('E_EMPTY_ROI names the cause: repeated contours, or contours that trace back over themselves', async () => {
    const repeated = await getDvh(ss, grid, 2, DICOMPYLER).catch((e: unknown) => e);
    expect(repeated).toMatchObject({ code: 'E_EMPTY_ROI' });
    const repeatedMessage = (repeated as Error).message;
    expect(repeatedMessage).toContain('(2 of its contours repeat another contour of their plane');
    expect(repeatedMessage).not.toContain('traced back over itself');

    const selfCancelling = await getDvh(ss, grid, 3, DICOMPYLER).catch((e: unknown) => e);
    expect(selfCancelling).toMatchObject({ code: 'E_EMPTY_ROI' });
    const selfMessage = (selfCancelling as Error).message;
    expect(selfMessage).toContain('(each contour is traced back over itself, or its contours cancel one another)');
    expect(selfMessage).not.toContain('repeat');
  });

  it('E_NO_DOSE_OVERLAP mentions limitCGy only when a limit is given', async () => {
    const far = await getDvh(ss, grid, 4, DICOMPYLER).catch((e: unknown) => e);
    expect(far).toMatchObject({ code: 'E_NO_DOSE_OVERLAP' });
    expect((far as Error).message).toContain('(it is outside the dose grid or smaller than its spacing)');
    expect((far as Error).message).not.toContain('limitCGy');
    // 250.5 cGy everywhere, limit 100 cGy: every sample is dropped.
    const above = await getDvh(ss, grid, 5, { ...DICOMPYLER, limitCGy: 100 }).catch((e: unknown) => e);
    expect(above).toMatchObject({ code: 'E_NO_DOSE_OVERLAP' });
    expect((above as Error).message).toContain('all its dose lies above limitCGy');
  });
});

describe('a dose below 1 cGy: only bin 0 is filled', () => {
  it('0.4 cGy everywhere still gives a DVH: one bin [0, 0.01] Gy holding 5 planes x 60 mm^2 x 2 mm', async () => {
    // Stored 4 x 0.001 Gy = 0.4 cGy: floor(0.4) + 1 = 1 bin.
    const grid = standardGrid(() => 0.004);
    const dvh = await dvhOf(boxRoi([0, 2, 4, 6, 8]), grid);
    expect(dvh.volume).toBeCloseTo(0.6, 12);
    const diff = dvh.differential;
    expect(Array.from(diff.bins)).toEqual([0, 0.01]);
    expect(diff.counts).toHaveLength(1);
    expect(diff.counts[0]).toBeCloseTo(0.6, 12);
  });
});

describe('bins coarser than 1 cGy past MAX_HISTOGRAM_BINS', () => {
  it('a 2000 Gy maximum: 2 cGy bins, edges 2k cGy, the box dose 123456.7 cGy in bin 61728', async () => {
    // The column x = 20 holds 2000 Gy (stored 2 000 000): floor(200000) + 1 = 200001 bins of
    // 1 cGy is more than 2^17, 2 cGy gives ceil(200001 / 2) = 100001, so the width is 2 cGy.
    // Elsewhere 1234.567 Gy = 123456.7 cGy: bin floor(123456.7 / 2) = 61728, [123456, 123458) cGy.
    const grid = standardGrid((x) => (x === 20 ? 2000 : 1234.567));
    const dvh = await dvhOf(boxRoi([0, 2, 4, 6, 8]), grid);
    const diff = dvh.differential;
    expect(diff.bins).toHaveLength(61730);
    expect(diff.bins[1]).toBeCloseTo(0.02, 12);
    expect(diff.bins[61728]).toBeCloseTo(1234.56, 9);
    expect(diff.bins[61729]).toBeCloseTo(1234.58, 9);
    expectBins(dvh, [[61728, 0.6]]);
    expect(dvh.max).toBeCloseTo(1234.58, 9);
    expect(dvh.computedBy?.warnings?.some((w) => w.includes('the bins are 2 cGy'))).toBe(true);
  });
});
