// SPDX-License-Identifier: BSD-3-Clause
// The pieces around the kernels of a DVH calculation, each on small synthetic grids:
// - runPlan: layers grouped by dose plane, lattice and spread cell; what each job carries (the
//   frames, the interpolated plane, the spread's fraction, frame gap and cell); batches, progress,
//   abort, the memory ceiling and the summed targets;
// - the in-plane sample lattices (voxel centres, supersampled, shifted) and their sample areas;
// - the surface dose range: vertices, points along edges, slab faces and frames inside a slab, and
//   the clamped image of edges beyond the grid.
// Expected values come from the grids' closed forms.
import { afterEach, describe, expect, it } from 'vitest';
import type { ComputeBackend, HistogramRequest, HistogramResponse } from '../../src/backend/compute-backend.js';
import { type CalculationPlan, type RoiWork, type SampleLayer, runPlan } from '../../src/dvh/calculation-plan.js';
import { type InPlaneSampling, supersampledSampling, voxelCentreSampling } from '../../src/dvh/sampling.js';
import { type PrismSlab, surfaceStoredDoseRange } from '../../src/dvh/surface-dose.js';
import { emptyTarget, fedTargets } from '../../src/kernels/dose-histogram.js';
import type { DoseGrid } from '../../src/model/dose-grid.js';
import type { DosePlaneSource } from '../../src/model/dose-plane.js';
import type { Roi } from '../../src/model/structure-set.js';
import { makeDoseGrid } from '../helpers/synthetic.js';

// ---------------------------------------------------------------------------------------------
// runPlan

/** 3 columns (3 mm) x 2 rows (2 mm) x 3 frames at z = 0, 2.5, 5; stored (frame k, row r, column c) = 100 k + 10 r + c + 1. */
const planGrid = makeDoseGrid({
  rows: 2,
  columns: 3,
  frames: 3,
  originMm: [0, 0, 0],
  pixelSpacingMm: [2, 3],
  frameOffsetsMm: [0, 2.5, 5],
  orientation: 'HFS',
  scaling: 1,
  dose: (x, y, z) => 100 * (z / 2.5) + 10 * (y / 2) + x / 3 + 1,
});

function frameValues(k: number): number[] {
  return Array.from({ length: 6 }, (_, i) => 100 * k + 10 * Math.floor(i / 3) + (i % 3) + 1);
}

const frame = (k: number): DosePlaneSource => ({ kind: 'frame', frame: k });
const between = (upper: number, lower: number, fraction: number): DosePlaneSource => ({ kind: 'interpolated', upper, lower, fraction });

function layer(source: DosePlaneSource, sampling: InPlaneSampling, target: number, spreadCellZMm?: number): SampleLayer {
  const ring = Float64Array.from([0, 0, 6, 0, 6, 2, 0, 2]);
  return { source, sampling, rings: [ring], target, ...(spreadCellZMm !== undefined ? { spreadCellZMm } : {}), counted: -1 };
}

function work(layers: SampleLayer[]): RoiWork {
  return { roi: { number: 1, name: 'r' } as unknown as Roi, layers, finish: () => ({ code: 'E_EMPTY_ROI', message: '' }) as never };
}

const binning = { doseGridScaling: 1, unitsToCGy: 100, binWidthCGy: 1, binCount: 10 };

/**
 * A backend that records every request and answers: request n (from 1) adds to every fed target t
 * counts[t] = n, rampConstant[0] = n, rampSlope[1] = 2n, extremes 10 n and 100 n; layer l of job g
 * counted 1000 n + 10 g + l.
 */
function recordingBackend(onRequest?: (n: number) => void): ComputeBackend & { requests: HistogramRequest[] } {
  const requests: HistogramRequest[] = [];
  return {
    requests,
    info: { kind: 'cpu' },
    async histogram(request: HistogramRequest): Promise<HistogramResponse> {
      requests.push(request);
      const n = requests.length;
      onRequest?.(n);
      const fed = fedTargets(request.jobs);
      const targets = Array.from({ length: request.targetCount }, (_, t) => {
        const target = emptyTarget(request.binning.binCount);
        if (fed.has(t)) {
          target.counts[t] = n;
          target.rampConstant[0] = n;
          target.rampSlope[1] = 2 * n;
          target.minCGy = 10 * n;
          target.maxCGy = 100 * n;
        }
        return target;
      });
      return { targets, counted: request.jobs.map((job, g) => job.layers.map((_, l) => 1000 * n + 10 * g + l)) };
    },
    async resample() {},
    dispose() {},
  };
}

describe('runPlan', () => {
  const voxels = voxelCentreSampling(planGrid);
  const fine = supersampledSampling(planGrid, 3, 5);

  it('groups the layers by dose plane, lattice and spread cell, in first-seen order, and hands each layer its count', async () => {
    const l1 = layer(frame(0), voxels, 0);
    const l2 = layer(frame(1), voxels, 0);
    const l3 = layer(between(1, 2, 0.5), voxels, 0);
    const l4 = layer(frame(0), voxels, 1);
    const l5 = layer(frame(0), fine, 1);
    const l6 = layer(frame(0), voxels, -1, 2);
    const l7 = layer(frame(0), voxels, 1, 2);
    const l8 = layer(frame(0), voxels, 1, 3);
    const l9 = layer(between(1, 2, 0.25), voxels, 0);
    const plan: CalculationPlan = { binning, targetCount: 2, rois: [work([l1, l2, l3]), work([l4, l5, l6, l7, l8, l9])] };
    const backend = recordingBackend();
    await runPlan(plan, planGrid, backend, {});
    expect(backend.requests).toHaveLength(1);
    const jobs = backend.requests[0].jobs;
    expect(jobs.map((j) => j.layers.map((l) => l.target))).toEqual([[0, 1], [0], [0], [1], [-1, 1], [1], [0]]);
    expect(jobs.map((j) => j.lattice)).toEqual([voxels.lattice, voxels.lattice, voxels.lattice, fine.lattice, voxels.lattice, voxels.lattice, voxels.lattice]);
    expect(jobs[3].lattice).toBe(fine.lattice);
    expect(jobs.map((j) => j.plane.spread === undefined)).toEqual([true, true, true, true, false, false, true]);
    expect(jobs[4].plane.spread!.cellMm[2]).toBe(2);
    expect(jobs[5].plane.spread!.cellMm[2]).toBe(3);
    expect([l1, l4, l2, l3, l5, l6, l7, l8, l9].map((l) => l.counted)).toEqual([1000, 1001, 1010, 1020, 1030, 1040, 1041, 1050, 1060]);
    expect(backend.requests[0].targetCount).toBe(2);
    expect(backend.requests[0].binning).toBe(binning);
  });

  it('a point job carries the frame, or the plane interpolated between two frames, once per batch for every lattice', async () => {
    const a = layer(frame(2), voxels, 0);
    const b = layer(between(1, 2, 0.4), voxels, 0);
    const c = layer(frame(2), fine, 0);
    const d = layer(between(1, 2, 0.4), fine, 0);
    const backend = recordingBackend();
    await runPlan({ binning, targetCount: 1, rois: [work([a, b, c, d])] }, planGrid, backend, {});
    const jobs = backend.requests[0].jobs;
    expect(Array.from(jobs[0].plane.values)).toEqual(frameValues(2));
    // 0.4 x frame 1 + 0.6 x frame 2.
    const expected = frameValues(1).map((v, i) => 0.4 * v + 0.6 * frameValues(2)[i]);
    Array.from(jobs[1].plane.values).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 10));
    // The same plane for both lattices: read once.
    expect(jobs[2].plane.values).toBe(jobs[0].plane.values);
    expect(jobs[3].plane.values).toBe(jobs[1].plane.values);
    expect(jobs[0].plane).toMatchObject({ rows: 2, columns: 3, transposed: false, factorX: 1, factorY: 1 });
    expect(jobs[2].plane).toMatchObject({ rows: 2, columns: 3, transposed: false, factorX: 3, factorY: 5 });
  });

  it('a spread job carries both frames, the fraction, the frame gap and the cell', async () => {
    // Lower frame 2 (z = 5), upper frame 1 (z = 2.5): the gap is 2.5 mm whichever way round.
    const s = layer(between(1, 2, 0.4), fine, 0, 1.25);
    const f = layer(frame(1), voxels, 0, 0.75);
    const backend = recordingBackend();
    await runPlan({ binning, targetCount: 1, rois: [work([s, f])] }, planGrid, backend, {});
    const [spreadJob, frameJob] = backend.requests[0].jobs;
    expect(Array.from(spreadJob.plane.values)).toEqual(frameValues(2));
    expect(Array.from(spreadJob.plane.spread!.second)).toEqual(frameValues(1));
    expect(spreadJob.plane.spread!.fraction).toBe(0.4);
    expect(spreadJob.plane.spread!.frameGapMm).toBe(2.5);
    expect(spreadJob.plane.spread!.voxelMm).toEqual([3, 2]);
    expect(spreadJob.plane.spread!.cellMm[0]).toBeCloseTo(1, 12);
    expect(spreadJob.plane.spread!.cellMm[1]).toBeCloseTo(0.4, 12);
    expect(spreadJob.plane.spread!.cellMm[2]).toBe(1.25);
    expect(spreadJob.plane).toMatchObject({ rows: 2, columns: 3, factorX: 3, factorY: 5, transposed: false });
    // A frame: the frame twice, no fraction, no gap; cells of a whole voxel.
    expect(Array.from(frameJob.plane.values)).toEqual(frameValues(1));
    expect(Array.from(frameJob.plane.spread!.second)).toEqual(frameValues(1));
    expect(frameJob.plane.spread!.fraction).toBe(0);
    expect(frameJob.plane.spread!.frameGapMm).toBe(0);
    expect(frameJob.plane.spread!.cellMm).toEqual([3, 2, 0.75]);
  });

  it('runs in batches of batchSize plane groups (8 by default), reporting the fraction of groups done after each', async () => {
    const five = [0, 1, 2].map((k) => layer(frame(k), voxels, 0)).concat([layer(between(1, 2, 0.5), voxels, 0), layer(frame(0), fine, 0)]);
    const backend = recordingBackend();
    const progress: number[] = [];
    await runPlan({ binning, targetCount: 1, rois: [work(five)] }, planGrid, backend, { batchSize: 2, onProgress: (p) => progress.push(p) });
    expect(backend.requests.map((r) => r.jobs.length)).toEqual([2, 2, 1]);
    expect(progress).toEqual([0.4, 0.8, 1]);

    const nine = [0, 1, 2].flatMap((k) => [layer(frame(k), voxels, 0), layer(frame(k), fine, 0), layer(frame(k), voxels, 0, 1)]);
    const byDefault = recordingBackend();
    const progress9: number[] = [];
    await runPlan({ binning, targetCount: 1, rois: [work(nine)] }, planGrid, byDefault, { onProgress: (p) => progress9.push(p) });
    expect(byDefault.requests.map((r) => r.jobs.length)).toEqual([8, 1]);
    expect(progress9).toEqual([8 / 9, 1]);
  });

  it('with no layers it asks nothing of the backend, reports done once and returns empty targets', async () => {
    const backend = recordingBackend();
    const progress: number[] = [];
    const totals = await runPlan({ binning, targetCount: 2, rois: [work([])] }, planGrid, backend, { onProgress: (p) => progress.push(p) });
    expect(backend.requests).toHaveLength(0);
    expect(progress).toEqual([1]);
    expect(totals).toHaveLength(2);
    expect(totals.map((t) => [Array.from(t.counts).every((c) => c === 0), t.minCGy, t.maxCGy])).toEqual([
      [true, Infinity, -Infinity],
      [true, Infinity, -Infinity],
    ]);
  });

  it('sums each batch into the targets its layers fed; a target no layer feeds stays empty', async () => {
    const layers = [layer(frame(0), voxels, 0), layer(frame(1), voxels, 1), layer(frame(2), voxels, 0), layer(frame(2), fine, -1)];
    const backend = recordingBackend();
    const totals = await runPlan({ binning, targetCount: 3, rois: [work(layers)] }, planGrid, backend, { batchSize: 2 });
    expect(backend.requests).toHaveLength(2);
    // Target 0: fed by requests 1 and 2; target 1 by request 1; target 2 by none.
    expect(totals[0].counts[0]).toBe(3);
    expect(totals[0].rampConstant[0]).toBe(3);
    expect(totals[0].rampSlope[1]).toBe(6);
    expect([totals[0].minCGy, totals[0].maxCGy]).toEqual([10, 200]);
    expect(totals[1].counts[1]).toBe(1);
    expect([totals[1].minCGy, totals[1].maxCGy]).toEqual([10, 100]);
    expect(Array.from(totals[2].counts).every((c) => c === 0)).toBe(true);
    expect([totals[2].minCGy, totals[2].maxCGy]).toEqual([Infinity, -Infinity]);
    // Distinct arrays per target.
    expect(totals[0].counts).not.toBe(totals[1].counts);
  });

  it('an aborted signal stops it before the first batch, and a signal aborted during a batch before the next', async () => {
    const layers = [0, 1, 2].map((k) => layer(frame(k), voxels, 0));
    const before = new AbortController();
    before.abort();
    const idle = recordingBackend();
    await expect(runPlan({ binning, targetCount: 1, rois: [work(layers)] }, planGrid, idle, { signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(idle.requests).toHaveLength(0);

    const during = new AbortController();
    const busy = recordingBackend(() => during.abort());
    await expect(runPlan({ binning, targetCount: 1, rois: [work(layers)] }, planGrid, busy, { signal: during.signal, batchSize: 1 })).rejects.toMatchObject({ name: 'AbortError' });
    expect(busy.requests).toHaveLength(1);
  });

  describe('the memory ceiling', () => {
    const saved = process.env.DOSEKIT_MAX_MEMORY;
    afterEach(() => {
      if (saved === undefined) delete process.env.DOSEKIT_MAX_MEMORY;
      else process.env.DOSEKIT_MAX_MEMORY = saved;
    });

    it('refuses up front when twice the targets would pass it, and runs when they would not', async () => {
      // One target of 1000 bins: (1000 + 2 x 1001) x 8 = 24016 bytes; twice 21 targets = 1008672 <= 1 MiB; twice 22 = 1056704 > 1 MiB.
      process.env.DOSEKIT_MAX_MEMORY = '1M';
      const big = { ...binning, binCount: 1000 };
      const layers = [layer(frame(0), voxels, 0)];
      const refused = recordingBackend();
      await expect(runPlan({ binning: big, targetCount: 22, rois: [work(layers)] }, planGrid, refused, {})).rejects.toMatchObject({ code: 'E_TOO_LARGE', details: { binCount: 1000, histograms: 22, bytes: 1056704 } });
      expect(refused.requests).toHaveLength(0);
      const accepted = recordingBackend();
      await expect(runPlan({ binning: big, targetCount: 21, rois: [work(layers)] }, planGrid, accepted, {})).resolves.toHaveLength(21);
      expect(accepted.requests).toHaveLength(1);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Sample lattices

function gridOf(orientation: 'HFS' | 'HFP' | 'HFDL', rows: number, columns: number, pixelSpacingMm: [number, number], originMm: [number, number, number]): DoseGrid {
  return makeDoseGrid({ rows, columns, frames: 1, originMm, pixelSpacingMm, frameOffsetsMm: [0], orientation, scaling: 1, dose: () => 1 });
}

function close(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 10));
}

describe('sample lattices', () => {
  // HFS: x = 10 + 3 c (4 columns), y = -20 + 2 r (3 rows).
  const hfs = gridOf('HFS', 3, 4, [2, 3], [10, -20, 0]);

  it('voxel centres: the column and row centres, one sample per voxel of area |dx dy|', () => {
    const s = voxelCentreSampling(hfs);
    close(s.lattice.xs, [10, 13, 16, 19]);
    close(s.lattice.ys, [-20, -18, -16]);
    expect([s.factorX, s.factorY]).toEqual([1, 1]);
    expect(s.sampleAreaMm2).toBeCloseTo(6, 12);
    expect(s.voxelMm[0]).toBeCloseTo(3, 12);
    expect(s.voxelMm[1]).toBeCloseTo(2, 12);
    const values = new Float64Array(12);
    const plane = s.plane(values);
    expect(plane.values).toBe(values);
    expect(plane).toEqual({ values, rows: 3, columns: 4, transposed: false, factorX: 1, factorY: 1 });
  });

  it('supersampled: f samples per voxel at the centres of equal cells, (i + 0.5) / f - 0.5 voxels from the first centre', () => {
    const s = supersampledSampling(hfs, 3, 2);
    close(
      s.lattice.xs,
      Array.from({ length: 12 }, (_, i) => 10 + ((i + 0.5) / 3 - 0.5) * 3),
    );
    close(
      s.lattice.ys,
      Array.from({ length: 6 }, (_, j) => -20 + ((j + 0.5) / 2 - 0.5) * 2),
    );
    expect([s.factorX, s.factorY]).toEqual([3, 2]);
    expect(s.sampleAreaMm2).toBeCloseTo(1, 12);
    expect(s.voxelMm[0]).toBeCloseTo(3, 12);
    expect(s.voxelMm[1]).toBeCloseTo(2, 12);
    const values = new Float64Array(12);
    expect(s.plane(values)).toEqual({ values, rows: 3, columns: 4, transposed: false, factorX: 3, factorY: 2 });
    // One factor 1, the other not: still supersampled along the other axis.
    const tall = supersampledSampling(hfs, 1, 5);
    expect(tall.lattice.xs.length).toBe(4);
    expect(tall.lattice.ys.length).toBe(15);
    expect(tall.sampleAreaMm2).toBeCloseTo(6 / 5, 12);
    expect(tall.plane(values)).toMatchObject({ factorX: 1, factorY: 5 });
  });

  it('factor 1 without a shift is the voxel-centre lattice; with a shift it moves the samples, not the dose', () => {
    const same = supersampledSampling(hfs, 1, 1);
    close(same.lattice.xs, [10, 13, 16, 19]);
    close(same.lattice.ys, [-20, -18, -16]);
    expect(same.sampleAreaMm2).toBeCloseTo(6, 12);
    const shifted = supersampledSampling(hfs, 1, 1, 0.25);
    close(shifted.lattice.xs, [10.25, 13.25, 16.25, 19.25]);
    close(shifted.lattice.ys, [-19.75, -17.75, -15.75]);
    expect(shifted.sampleAreaMm2).toBeCloseTo(6, 12);
    expect(shifted.plane(new Float64Array(12))).toMatchObject({ factorX: 1, factorY: 1, transposed: false });
    const back = supersampledSampling(hfs, 3, 3, -0.25);
    expect(back.lattice.xs[0]).toBeCloseTo(10 - 1 - 0.25, 12);
    expect(back.lattice.ys[8]).toBeCloseTo(-20 + (8.5 / 3 - 0.5) * 2 - 0.25, 12);
  });

  it('prone: decreasing axes, positive areas and voxel sizes', () => {
    // HFP: x = 10 - 3 c, y = -20 - 2 r.
    const hfp = gridOf('HFP', 3, 4, [2, 3], [10, -20, 0]);
    const v = voxelCentreSampling(hfp);
    close(v.lattice.xs, [10, 7, 4, 1]);
    close(v.lattice.ys, [-20, -22, -24]);
    expect(v.sampleAreaMm2).toBeCloseTo(6, 12);
    expect(v.voxelMm[0]).toBeCloseTo(3, 12);
    expect(v.voxelMm[1]).toBeCloseTo(2, 12);
    const s = supersampledSampling(hfp, 3, 1);
    close(
      s.lattice.xs,
      Array.from({ length: 12 }, (_, i) => 10 - ((i + 0.5) / 3 - 0.5) * 3),
    );
    expect(s.sampleAreaMm2).toBeCloseTo(2, 12);
  });

  it('decubitus: lattice x runs along the rows (transposed), y along the columns', () => {
    // HFDL: x = 5 + 2 r (3 rows), y = 7 - 3 c (4 columns).
    const hfdl = gridOf('HFDL', 3, 4, [2, 3], [5, 7, 0]);
    const v = voxelCentreSampling(hfdl);
    close(v.lattice.xs, [5, 7, 9]);
    close(v.lattice.ys, [7, 4, 1, -2]);
    expect(v.voxelMm[0]).toBeCloseTo(2, 12);
    expect(v.voxelMm[1]).toBeCloseTo(3, 12);
    expect(v.sampleAreaMm2).toBeCloseTo(6, 12);
    const values = new Float64Array(12);
    expect(v.plane(values)).toEqual({ values, rows: 3, columns: 4, transposed: true, factorX: 1, factorY: 1 });
    const s = supersampledSampling(hfdl, 2, 3);
    close(
      s.lattice.xs,
      Array.from({ length: 6 }, (_, i) => 5 + ((i + 0.5) / 2 - 0.5) * 2),
    );
    close(
      s.lattice.ys,
      Array.from({ length: 12 }, (_, j) => 7 - ((j + 0.5) / 3 - 0.5) * 3),
    );
    expect(s.sampleAreaMm2).toBeCloseTo(1, 12);
    expect(s.voxelMm[0]).toBeCloseTo(2, 12);
    expect(s.voxelMm[1]).toBeCloseTo(3, 12);
    expect(s.plane(values)).toEqual({ values, rows: 3, columns: 4, transposed: true, factorX: 2, factorY: 3 });
  });

  it('the step is the mean difference of the centres (numpy order), and the pixel spacing for a single row or column', () => {
    // Two columns at 0.1 and 0.1 + 0.3: the step is their float64 difference, not 0.3.
    const two = gridOf('HFS', 1, 2, [0.7, 0.3], [0.1, 0, 0]);
    const s = voxelCentreSampling(two);
    expect(s.voxelMm[0]).toBe(0.4 - 0.1);
    expect(s.voxelMm[0]).not.toBe(0.3);
    // One row: the row spacing.
    expect(s.voxelMm[1]).toBe(0.7);
    expect(s.sampleAreaMm2).toBe((0.4 - 0.1) * 0.7);
    const one = gridOf('HFS', 2, 1, [0.7, 0.3], [0.1, 0, 0]);
    const t = voxelCentreSampling(one);
    expect(t.voxelMm[0]).toBe(0.3);
    expect(t.sampleAreaMm2).toBeCloseTo(0.21, 12);
  });
});

// ---------------------------------------------------------------------------------------------
// Surface dose range

/** 21 columns (x = 0..20 mm) x 11 rows (y = 0..10 mm) x frames at z = -5..5 mm every 2.5, dose in Gy stored at 0.01 Gy. */
function surfaceGrid(dose: (x: number, y: number, z: number) => number): DoseGrid {
  return makeDoseGrid({ rows: 11, columns: 21, frames: 5, originMm: [0, 0, -5], pixelSpacingMm: [1, 1], frameOffsetsMm: [0, 2.5, 5, 7.5, 10], orientation: 'HFS', scaling: 0.01, dose });
}

function ring(...points: number[]): Float64Array {
  return Float64Array.from(points);
}

function rangeCloseTo(actual: [number, number] | null, expected: [number, number]): void {
  expect(actual).not.toBeNull();
  expect(actual![0]).toBeCloseTo(expected[0], 6);
  expect(actual![1]).toBeCloseTo(expected[1], 6);
}

describe('surface dose range', () => {
  it('a linear dose: its extremes at the vertices on the slab faces', async () => {
    // Stored 50 x + 25 y + 10 z + 1000 (exact at the voxel centres and trilinear everywhere).
    const grid = surfaceGrid((x, y, z) => 0.5 * x + 0.25 * y + 0.1 * z + 10);
    const slab: PrismSlab = { rings: [ring(2, 1, 15, 3, 6, 9)], zLowMm: -3, zHighMm: 4 };
    rangeCloseTo(await surfaceStoredDoseRange(grid, [slab], 0.5), [50 * 2 + 25 * 1 - 30 + 1000, 50 * 15 + 25 * 3 + 40 + 1000]);
  });

  it('frames strictly inside a slab are sampled, frames beyond its faces are not', async () => {
    // Stored 5000 - 400 |z|: 3000 at z = -5 and 5, 5000 at z = 0.
    const grid = surfaceGrid((_x, _y, z) => 50 - 4 * Math.abs(z));
    const square = ring(3, 2, 12, 2, 12, 8, 3, 8);
    // Faces at -3.75 (3500) and 1.25 (4500); frames -2.5 (4000) and 0 (5000) inside.
    rangeCloseTo(await surfaceStoredDoseRange(grid, [{ rings: [square], zLowMm: -3.75, zHighMm: 1.25 }], 1), [3500, 5000]);
    // Faces on frames: -2.5 and 2.5 (4000), frame 0 inside.
    rangeCloseTo(await surfaceStoredDoseRange(grid, [{ rings: [square], zLowMm: -2.5, zHighMm: 2.5 }], 1), [4000, 5000]);
    // A slab reaching below the first frame: the face at -8 has no dose; -4 (3400) and frame -5 (3000) do.
    rangeCloseTo(await surfaceStoredDoseRange(grid, [{ rings: [square], zLowMm: -8, zHighMm: -4 }], 1), [3000, 3400]);
  });

  it('slabs beyond the frames add nothing; with none inside the range is null', async () => {
    const grid = surfaceGrid((_x, _y, z) => 50 - 4 * Math.abs(z));
    const square = ring(3, 2, 12, 2, 12, 8, 3, 8);
    expect(await surfaceStoredDoseRange(grid, [{ rings: [square], zLowMm: 6, zHighMm: 9 }], 1)).toBeNull();
    expect(await surfaceStoredDoseRange(grid, [], 1)).toBeNull();
    rangeCloseTo(
      await surfaceStoredDoseRange(
        grid,
        [
          { rings: [square], zLowMm: 6, zHighMm: 9 },
          { rings: [square], zLowMm: 1.25, zHighMm: 3.75 },
        ],
        1,
      ),
      [3500, 4500],
    );
  });

  it('a constant dose gives a range of one value', async () => {
    const grid = surfaceGrid(() => 12.34);
    expect(await surfaceStoredDoseRange(grid, [{ rings: [ring(3, 2, 12, 2, 12, 8)], zLowMm: 0, zHighMm: 0 }], 1)).toEqual([1234, 1234]);
  });

  it('points along each edge at most stepMm apart find a maximum between the vertices', async () => {
    // Stored 10000 - 400 |x - 7|: 10000 at x = 7, between the vertices x = 3 (8400) and 12 (8000).
    const grid = surfaceGrid((x) => 100 - 4 * Math.abs(x - 7));
    const slab: PrismSlab = { rings: [ring(3, 2, 12, 2, 12, 8, 3, 8)], zLowMm: 0, zHighMm: 0 };
    rangeCloseTo(await surfaceStoredDoseRange(grid, [slab], 0.5), [8000, 10000]);
    // Steps of 3 mm along the 9 mm edges: x = 3, 6, 9 (and 12): 9600 at most.
    rangeCloseTo(await surfaceStoredDoseRange(grid, [slab], 3), [8000, 9600]);
    // Steps longer than the edges: the vertices only.
    rangeCloseTo(await surfaceStoredDoseRange(grid, [slab], 50), [8000, 8400]);
    // Every ring of a slab counts.
    const two: PrismSlab = { rings: [ring(3, 2, 5, 2, 5, 8, 3, 8), ring(14, 2, 18, 2, 18, 8)], zLowMm: 0, zHighMm: 0 };
    rangeCloseTo(await surfaceStoredDoseRange(grid, [two], 0.5), [100 * (100 - 44), 100 * (100 - 8)]);
  });

  it('edges beyond the grid see the dose along their clamped image on its border', async () => {
    const grid = surfaceGrid((x, y) => 100 - 4 * Math.abs(x - 7) - 3 * Math.abs(y - 4));
    const stored = (x: number, y: number) => 100 * (100 - 4 * Math.abs(x - 7) - 3 * Math.abs(y - 4));
    // Wholly below the grid (y < 0): its long edges clamp to row 0, x from 0 to 20.
    const below: PrismSlab = { rings: [ring(-50, -50, 50, -50, 50, -30, -50, -30)], zLowMm: 0, zHighMm: 0 };
    rangeCloseTo(await surfaceStoredDoseRange(grid, [below], 0.5), [stored(20, 0), stored(7, 0)]);
    // Wholly left of it (x < 0), rows 2 to 8: column 0, y from 2 to 8.
    const left: PrismSlab = { rings: [ring(-30, 2, -10, 2, -10, 8, -30, 8)], zLowMm: 0, zHighMm: 0 };
    rangeCloseTo(await surfaceStoredDoseRange(grid, [left], 0.5), [stored(0, 8), stored(0, 4)]);
    // Beyond a corner: the corner's dose only.
    const corner: PrismSlab = { rings: [ring(30, 20, 40, 20, 40, 30, 30, 30)], zLowMm: 0, zHighMm: 0 };
    expect(await surfaceStoredDoseRange(grid, [corner], 0.5)).toEqual([stored(20, 10), stored(20, 10)]);
    // Partly inside: x from 5 to 40 at rows 2 and 8; the part beyond x = 20 clamps to column 20.
    const across: PrismSlab = { rings: [ring(5, 2, 40, 2, 40, 8, 5, 8)], zLowMm: 0, zHighMm: 0 };
    rangeCloseTo(await surfaceStoredDoseRange(grid, [across], 0.5), [stored(20, 8), stored(7, 2)]);
    // Crossing the grid from below-left to above-right, through (7, 4): the peak itself.
    const diagonal: PrismSlab = { rings: [ring(-13, -16, 27, 24, 27, -16)], zLowMm: 0, zHighMm: 0 };
    const result = await surfaceStoredDoseRange(grid, [diagonal], 0.5);
    expect(result![1]).toBeCloseTo(stored(7, 4), 6);
  });

  it('an edge leaving the grid obliquely: its clamped image bends at the border, and the chord inside is no part of it', async () => {
    // Peak at (19, 5), inside the triangle (18, 2), (40, 8), (40, 2) but off its clamped surface:
    // the edge to (40, 8) leaves the grid at (20, 2.55) and then runs up column 20, where the
    // dose peaks at (20, 5); the straight chord from (18, 2) to (20, 8) would pass (19, 5).
    const grid = surfaceGrid((x, y) => 100 - 4 * Math.abs(x - 19) - 3 * Math.abs(y - 5));
    const slab: PrismSlab = { rings: [ring(18, 2, 40, 8, 40, 2)], zLowMm: 0, zHighMm: 0 };
    rangeCloseTo(await surfaceStoredDoseRange(grid, [slab], 0.5), [8700, 9600]);
    // The same triangle reflected beyond row 10 (rows clamp likewise): (3, 8) to (9, 30), peak at (6, 9).
    const rows = surfaceGrid((x, y) => 100 - 4 * Math.abs(x - 6) - 3 * Math.abs(y - 9));
    const up: PrismSlab = { rings: [ring(3, 8, 9, 30, 3, 30)], zLowMm: 0, zHighMm: 0 };
    const r = await surfaceStoredDoseRange(rows, [up], 0.5);
    // Along row 10 from x = 3.55 to 9 clamped: 97 at x = 6; the chord from (3, 8) to (9, 10) would reach 100 - 4 x 0 - 3 x 0 at (6, 9).
    rangeCloseTo(r, [100 * (100 - 12 - 3), 9700]);
  });

  it('awaits the checkpoint every few thousand points, inside the grid and beyond it, and once at the end', async () => {
    const grid = surfaceGrid((x) => 10 + x);
    const count = async (slab: PrismSlab, stepMm: number): Promise<number> => {
      let calls = 0;
      await surfaceStoredDoseRange(grid, [slab], stepMm, async () => {
        calls += 1;
      });
      return calls;
    };
    // 4 edges of 8 mm at 1/1024 mm: 32768 points on 2 faces.
    const inside = await count({ rings: [ring(2, 1, 10, 1, 10, 9, 2, 9)], zLowMm: 0, zHighMm: 2.5 }, 8 / 8192);
    expect(inside).toBeGreaterThan(4);
    expect(inside).toBeLessThan(100);
    // Below the grid: two 20 mm runs along row 0 at 1/2048 mm, 2 faces.
    const outside = await count({ rings: [ring(-50, -50, 50, -50, 50, -30, -50, -30)], zLowMm: 0, zHighMm: 2.5 }, 20 / 16384);
    expect(outside).toBeGreaterThan(4);
    expect(outside).toBeLessThan(100);
    // A handful of points: the final checkpoint only.
    expect(await count({ rings: [ring(2, 1, 10, 1, 10, 9)], zLowMm: 0, zHighMm: 0 }, 50)).toBe(1);
  });
});
