// SPDX-License-Identifier: BSD-3-Clause
// A dose grid larger than the device's storage-buffer binding limit, on WebGPU (Dawn in Node):
// the backend sends the planes a batch reads in chunks (z-slabs) that each fit the limit, and
// only the targets a chunk feeds, so the DVHs are the CPU's: identical counts for the dicompyler
// algorithm, and for the precise algorithm within the tolerances of webgpu-node.test.ts. The
// limit is lowered on a copy of the test device (as trilinear-resample.test.ts does), so the
// grid here is small and the test fast, while every GPU buffer is checked against the limit.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ComputeBackend, HistogramRequest } from '../../src/backend/compute-backend.js';
import { createCpuBackend } from '../../src/backend/cpu-backend.js';
import { calculateDvhs } from '../../src/dvh/calculate.js';
import type { AcquiredDevice } from '../../src/gpu/device.js';
import * as twoPass from '../../src/gpu/two-pass.js';
import { createWebGpuBackend } from '../../src/gpu/webgpu-backend.js';
import type { DoseGrid } from '../../src/model/dose-grid.js';
import type { StructureSet } from '../../src/model/structure-set.js';
import { boxRing, circleRing, makeDoseGrid, makeStructureSet } from '../helpers/synthetic.js';
import { skipWithoutDevice, testDevice } from '../helpers/webgpu.js';

// Every batch the GPU runs goes through runTwoPass: record what it uploads.
vi.mock('../../src/gpu/two-pass.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/gpu/two-pass.js')>();
  return { ...actual, runTwoPass: vi.fn(actual.runTwoPass) };
});

let device: AcquiredDevice | null = null;
const cpu = createCpuBackend();
const backends: ComputeBackend[] = [];

beforeAll(async () => {
  device = await testDevice();
}, 120_000);
afterAll(() => backends.forEach((b) => b.dispose()));

/** A backend on the test device that may bind at most `limit` bytes per storage buffer. */
function limitedBackend(limit: number): ComputeBackend {
  const backend = createWebGpuBackend({ ...device!, owned: false, maxStorageBufferBindingSize: limit });
  backends.push(backend);
  return backend;
}

const COLUMNS = 128;
const ROWS = 112;
const FRAMES = 60;
const FRAME_MM = 2.5;

/** 128 x 112 x 60 voxels (2 mm, 2.5 mm frames), uint32: 3.4 MB of stored dose, up to 20 Gy (stored values above 2^24). */
function grid(): DoseGrid {
  const sigma2 = 2 * 60 ** 2;
  return makeDoseGrid({
    rows: ROWS,
    columns: COLUMNS,
    frames: FRAMES,
    originMm: [-127, -111, -73.75],
    pixelSpacingMm: [2, 2],
    frameOffsetsMm: Array.from({ length: FRAMES }, (_, k) => k * FRAME_MM),
    orientation: 'HFS',
    scaling: 1e-6,
    dose: (x, y, z) => 17 * Math.exp(-((x - 10) ** 2 + (y + 5) ** 2 + 0.7 * z * z) / sigma2) + 3 * (0.5 + x / 256),
    frameOfReferenceUid: '2.25.7',
  });
}

/** Planes from z0 every `step` mm, `count` of them, each with the same rings. */
function stack(z0: number, step: number, count: number, rings: number[][][]) {
  return Array.from({ length: count }, (_, k) => ({ zMm: Math.round((z0 + k * step) * 100) / 100, rings }));
}

/**
 * Five ROIs: a body-like box over most of the grid, a cylinder on the dose frames, a tube (a
 * ring inside a ring) and a box with a box hole on planes between frames, a 1 cc cylinder.
 */
function structures(): StructureSet {
  return makeStructureSet(
    [
      { number: 1, name: 'body box', planes: stack(-60, 2.5, 49, [boxRing(-110, -95, 110, 95)]) },
      { number: 2, name: 'cylinder', planes: stack(-30, 2.5, 25, [circleRing(-30, 10, 35, 256)]) },
      { number: 3, name: 'tube', planes: stack(-41, 3, 24, [circleRing(40, -20, 45, 512), circleRing(40, -20, 22, 512)]) },
      { number: 4, name: 'box with hole', planes: stack(-19, 3, 14, [boxRing(-90, -80, -30, -30), boxRing(-75, -65, -45, -45)]) },
      { number: 5, name: 'small cylinder', planes: stack(10, 2.5, 5, [circleRing(60, 50, 5.6, 64)]) },
    ],
    { frameOfReferenceUid: '2.25.7' },
  );
}

const recorded = () => vi.mocked(twoPass.runTwoPass).mock.calls;

/** Checks every buffer of every recorded GPU batch against the limit; returns the batches and the dose bytes they uploaded. */
function checkUploads(limit: number): { batches: number; doseBytes: number } {
  let doseBytes = 0;
  for (const [, crossings, pass] of recorded()) {
    for (const view of [crossings.rows, crossings.toggles, pass.rowTable, pass.results, ...pass.inputs]) expect(view.byteLength).toBeLessThanOrEqual(limit);
    expect(crossings.maskWords * 4).toBeLessThanOrEqual(limit);
    doseBytes += pass.inputs[0].byteLength;
  }
  return { batches: recorded().length, doseBytes };
}

describe('WebGPU: a dose grid larger than the storage-buffer binding limit', () => {
  const dose = grid();
  const structureSet = structures();
  const gridBytes = dose.voxelCount * 4;

  it('dicompyler algorithm: identical DVHs with every upload within a 160 KB limit (the grid is 3.4 MB)', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const limit = 160 * 1024;
    expect(gridBytes).toBeGreaterThan(20 * limit);
    vi.mocked(twoPass.runTwoPass).mockClear();
    const [gpu, reference] = await Promise.all([
      calculateDvhs(structureSet, dose, { algorithm: 'dicompyler', backend: limitedBackend(limit) }),
      calculateDvhs(structureSet, dose, { algorithm: 'dicompyler', backend: cpu }),
    ]);
    expect(gpu.backend.kind).toBe('webgpu');
    expect(gpu.errors).toEqual([]);
    expect(gpu.dvhs.length).toBe(5);
    gpu.dvhs.forEach((d, i) => {
      const c = reference.dvhs[i].dvh;
      expect(d.name).toBe(reference.dvhs[i].name);
      expect(Array.from(d.dvh.counts)).toEqual(Array.from(c.counts));
      expect(Array.from(d.dvh.bins)).toEqual(Array.from(c.bins));
    });
    const { batches, doseBytes } = checkUploads(limit);
    // More GPU batches than the plan's (8 plane groups each), and the binned planes sent add up to more than one binding could hold.
    expect(batches).toBeGreaterThan(10);
    expect(doseBytes).toBeGreaterThan(limit);
  }, 60_000);

  it('precise algorithm: the CPU DVHs within the float32 tolerances, every upload within a 1 MB limit', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    // One target's accumulators at 0.1 cGy bins up to 20 Gy take 0.72 MB: one target per chunk.
    const limit = 1024 * 1024;
    expect(gridBytes).toBeGreaterThan(3 * limit);
    vi.mocked(twoPass.runTwoPass).mockClear();
    const [gpu, reference] = await Promise.all([
      calculateDvhs(structureSet, dose, { algorithm: 'precise', backend: limitedBackend(limit) }),
      calculateDvhs(structureSet, dose, { algorithm: 'precise', backend: cpu }),
    ]);
    expect(gpu.errors).toEqual([]);
    expect(gpu.dvhs.length).toBe(5);
    let worst = 0;
    gpu.dvhs.forEach((d, i) => {
      const c = reference.dvhs[i].dvh;
      expect(d.dvh.volume).toBeCloseTo(c.volume, 9);
      // counts and volume are getters (counts copies the array): read them once.
      const [x, y, volume] = [d.dvh.counts, c.counts, c.volume];
      for (let k = 0; k < Math.max(x.length, y.length); k += 1) worst = Math.max(worst, Math.abs((x[k] ?? 0) - (y[k] ?? 0)) / volume);
      expect(Math.abs(d.dvh.mean - c.mean) / c.mean).toBeLessThan(1e-6);
      for (const statistic of ['D98', 'D95', 'D50', 'D2']) expect(Math.abs(d.dvh.statistic(statistic).value - c.statistic(statistic).value)).toBeLessThanOrEqual(5e-5);
      expect(Math.abs(d.dvh.max - c.max)).toBeLessThan(1e-4);
    });
    expect(worst).toBeLessThan(1e-5);
    const { batches } = checkUploads(limit);
    expect(batches).toBeGreaterThan(10);
  }, 60_000);

  it('one plane feeding more targets than one results buffer holds is split by layer: identical counts', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    // 12 layers on one plane, each its own target, 4000 bins: 192 KB of counts against a 64 KB limit.
    const plane = dose.pixels.subarray(30 * ROWS * COLUMNS, 31 * ROWS * COLUMNS);
    const xs = Float64Array.from({ length: COLUMNS }, (_, i) => -127 + 2 * i);
    const ys = Float64Array.from({ length: ROWS }, (_, j) => -111 + 2 * j);
    const layers = Array.from({ length: 12 }, (_, t) => ({ rings: [Float64Array.from(circleRing(-60 + 10 * t, 5 * t - 30, 20 + 3 * t, 96).flat())], target: t }));
    const request: HistogramRequest = {
      binning: { doseGridScaling: 1e-6, unitsToCGy: 100, binWidthCGy: 0.5, binCount: 4000 },
      targetCount: 12,
      jobs: [{ lattice: { xs, ys }, plane: { values: plane, rows: ROWS, columns: COLUMNS, transposed: false, factorX: 1, factorY: 1 }, layers }],
    };
    vi.mocked(twoPass.runTwoPass).mockClear();
    const [a, b] = await Promise.all([limitedBackend(64 * 1024).histogram(request), cpu.histogram(request)]);
    expect(a.counted).toEqual(b.counted);
    a.targets.forEach((t, i) => expect(Array.from(t.counts)).toEqual(Array.from(b.targets[i].counts)));
    expect(checkUploads(64 * 1024).batches).toBeGreaterThan(1);
  }, 60_000);

  it('a single plane larger than the limit fails with E_TOO_LARGE naming the limit and the CPU backend', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const limit = 16 * 1024;
    await expect(calculateDvhs(structureSet, dose, { algorithm: 'dicompyler', backend: limitedBackend(limit), rois: [2] })).rejects.toMatchObject({
      code: 'E_TOO_LARGE',
      details: { limit },
      message: expect.stringMatching(/CPU backend/),
    });
  }, 60_000);
});
