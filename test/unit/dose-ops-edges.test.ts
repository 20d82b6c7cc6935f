// SPDX-License-Identifier: BSD-3-Clause
// The edges of the dose operations (sum, difference, resample, scale, quantise, compatibility and
// option checks), each against numbers worked out here: a linear dose resampled trilinearly is
// the dose itself, nearest-neighbour sampling rounds half up, outside a grid 'constant' gives cval
// and 'nearest' the edge, sums are per-voxel stored x scaling x weight, and the rules of the
// functions' TSDoc (units, summation type, UIDs, derivation, warnings, error codes).
// createBackend is wrapped (passing through by default) so that a test can stand in a WebGPU
// backend that fails, and see which backends were asked for.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ComputeBackend } from '../../src/backend/compute-backend.js';
import type { CreateBackendOptions } from '../../src/backend/create-backend.js';
import { createCpuBackend } from '../../src/backend/cpu-backend.js';
import { checkSummable } from '../../src/dose/compatibility.js';
import { UINT32_MAX, fullRangeScaling, quantizeDose } from '../../src/dose/quantize.js';
import { resampleTables } from '../../src/dose/resample-tables.js';
import { scaleDoseGrid } from '../../src/dose/scale.js';
import { doseDifferenceGy, resampleDoseGy, sumComment, sumDoseGrids, sumDoseGy } from '../../src/dose/sum.js';
import { DosekitError } from '../../src/errors.js';
import { DoseGrid, type DoseGridInfo, type PixelArray } from '../../src/model/dose-grid.js';
import type { GridGeometry } from '../../src/model/grid-geometry.js';
import { VERSION } from '../../src/version.js';
import { dosekitErrorAsync } from '../helpers/errors.js';
import { type SyntheticDoseGridSpec, makeDoseGrid } from '../helpers/synthetic.js';

const backendControl = vi.hoisted(() => ({
  /** Returns a backend to use instead of the real createBackend's, or undefined to pass through. */
  override: undefined as undefined | ((options: CreateBackendOptions) => ComputeBackend | undefined),
  calls: [] as CreateBackendOptions[],
}));

vi.mock('../../src/backend/create-backend.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/backend/create-backend.js')>();
  return {
    ...real,
    createBackend: async (options: CreateBackendOptions = {}): Promise<ComputeBackend> => {
      backendControl.calls.push(options);
      return backendControl.override?.(options) ?? real.createBackend(options);
    },
  };
});

afterEach(() => {
  backendControl.override = undefined;
  backendControl.calls.length = 0;
});

// ---------------------------------------------------------------------------------------------
// Fixtures

/** Source S (HFS): columns x = 0, 2, ..., 10; rows y = 0, 3, ..., 12; frames z = 0, 2, 4, 6. */
const S_SPEC: SyntheticDoseGridSpec = {
  rows: 5,
  columns: 6,
  frames: 4,
  originMm: [0, 0, 0],
  pixelSpacingMm: [3, 2],
  frameOffsetsMm: [0, 2, 4, 6],
  orientation: 'HFS',
  scaling: 0.001,
  dose: (x, y, z) => 0.001 * (1000 + 10 * x + 20 * y + 30 * z),
  frameOfReferenceUid: '2.25.7',
  source: 'S',
};
/** The dose of S (Gy): linear, and stored exactly (integers x 0.001 Gy), so trilinear sampling anywhere inside S gives it exactly. */
const field = (x: number, y: number, z: number): number => 0.001 * (1000 + 10 * x + 20 * y + 30 * z);
const S = makeDoseGrid(S_SPEC);

/** Target T (HFS), partly outside S: x = -1 .. 11.5 by 2.5; y = 0 .. 13.5 by 4.5; z = 1, 3.5, 6. */
const XS = [-1, 1.5, 4, 6.5, 9, 11.5];
const YS = [0, 4.5, 9, 13.5];
const ZS = [1, 3.5, 6];
const T_SPEC: SyntheticDoseGridSpec = {
  rows: YS.length,
  columns: XS.length,
  frames: ZS.length,
  originMm: [-1, 0, 1],
  pixelSpacingMm: [4.5, 2.5],
  frameOffsetsMm: [0, 2.5, 5],
  orientation: 'HFS',
  scaling: 0.0005,
  dose: (x, y, z) => 2 + 0.01 * x + 0.02 * y + 0.03 * z,
  frameOfReferenceUid: '2.25.7',
  source: 'T',
};
const T = makeDoseGrid(T_SPEC);

/** The patient point of every T voxel, frame-major. */
const T_POINTS: [number, number, number][] = ZS.flatMap((z) => YS.flatMap((y) => XS.map((x) => [x, y, z] as [number, number, number])));

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const inS = (x: number, y: number, z: number): boolean => x >= 0 && x <= 10 && y >= 0 && y <= 12 && z >= 0 && z <= 6;
/** Nearest-neighbour coordinate on an axis from 0 by `step` with `n` points: index rounded half up. */
const nearestOnAxis = (v: number, step: number, n: number): number => step * Math.min(n - 1, Math.floor(clamp(v / step, 0, n - 1) + 0.5));

/** S sampled at a point as map_coordinates would (order, mode, cval), Gy. */
function sAt([x, y, z]: [number, number, number], order: 0 | 1, mode: 'constant' | 'nearest', cval: number): number {
  if (mode === 'constant' && !inS(x, y, z)) return cval;
  if (order === 1) return field(clamp(x, 0, 10), clamp(y, 0, 12), clamp(z, 0, 6));
  return field(nearestOnAxis(x, 2, 6), nearestOnAxis(y, 3, 5), nearestOnAxis(z, 2, 4));
}

/** T's own dose at voxel i, Gy. */
const tAt = (i: number): number => T.pixels[i] * T.doseGridScaling;

function withInfo(grid: DoseGrid, changes: Partial<DoseGridInfo>, pixels: PixelArray = grid.pixels, scaling = grid.doseGridScaling): DoseGrid {
  return new DoseGrid(grid.geometry, pixels, scaling, { ...grid.info, ...changes });
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  const off: string[] = [];
  for (let i = 0; i < expected.length; i += 1) if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) off.push(`${i}: ${actual[i]} != ${expected[i]}`);
  expect(off).toEqual([]);
}

/** A CPU backend whose resample and dispose calls are counted. */
function countingBackend(info: ComputeBackend['info'] = { kind: 'cpu' }): ComputeBackend & { resamples: number; disposals: number } {
  const cpu = createCpuBackend();
  const backend = {
    info,
    resamples: 0,
    disposals: 0,
    histogram: cpu.histogram,
    async resample(...args: Parameters<ComputeBackend['resample']>): Promise<void> {
      backend.resamples += 1;
      await cpu.resample(...args);
    },
    dispose(): void {
      backend.disposals += 1;
    },
  };
  return backend;
}

/** A stand-in WebGPU backend that fails with `error` (leaving `into` untouched, as the real one does). */
function failingGpu(error: unknown, kind: 'webgpu' | 'cpu' = 'webgpu'): ComputeBackend & { disposals: number } {
  const backend = {
    info: { kind, adapter: 'stand-in' } as ComputeBackend['info'],
    disposals: 0,
    histogram: createCpuBackend().histogram,
    async resample(): Promise<void> {
      throw error;
    },
    dispose(): void {
      backend.disposals += 1;
    },
  };
  return backend;
}

// ---------------------------------------------------------------------------------------------

describe('resampling a partly outside grid: order, mode and cval against hand-worked values', () => {
  it('T and S are not coincident, and the fixture reaches every case: inside, outside on each axis, halves to round up', () => {
    expect(T.isCoincident(S)).toBe(false);
    expect(T_POINTS.filter((p) => inS(...p)).length).toBe(3 * 3 * 4);
    // x = 9 is index 4.5 of S, z = 1 index 0.5: nearest rounds both up.
    expect(nearestOnAxis(9, 2, 6)).toBe(10);
    expect(nearestOnAxis(1, 2, 4)).toBe(2);
  });

  it.each([
    [1, 'constant', 0],
    [1, 'constant', 2.5],
    [1, 'nearest', 0],
    [0, 'constant', 1.25],
    [0, 'nearest', 0],
  ] as const)('order %s, mode %s, cval %s: sumDoseGy([T, S]) with weights 0.5 and 2 is 0.5 T + 2 S(point)', async (order, mode, cval) => {
    const { dose, coincident, resolved, backendInfo, warnings } = await sumDoseGy([T, S], { order, mode, cval, weights: [0.5, 2], backend: 'cpu' });
    expect(coincident).toEqual([true, false]);
    expect(resolved).toEqual({ order, mode, cvalGy: cval });
    expect(backendInfo).toEqual({ kind: 'cpu' });
    expect(warnings).toEqual([]);
    expectClose(dose, T_POINTS.map((p, i) => 0.5 * tAt(i) + 2 * sAt(p, order, mode, cval)), 1e-9);
  });

  it('the defaults are order 1, mode constant and cval 0', async () => {
    const { dose, resolved } = await sumDoseGy([T, S], { backend: 'cpu' });
    expect(resolved).toEqual({ order: 1, mode: 'constant', cvalGy: 0 });
    expectClose(dose, T_POINTS.map((p, i) => tAt(i) + sAt(p, 1, 'constant', 0)), 1e-9);
  });

  it('resampleDoseGy(S, T) is S at T\'s voxel centres (float32), with order, mode and cval', async () => {
    expectClose(await resampleDoseGy(S, T, { backend: 'cpu' }), T_POINTS.map((p) => sAt(p, 1, 'constant', 0)), 1e-6);
    expectClose(await resampleDoseGy(S, T, { backend: 'cpu', order: 0, mode: 'nearest' }), T_POINTS.map((p) => sAt(p, 0, 'nearest', 0)), 1e-6);
    const constant = await resampleDoseGy(S, T, { backend: 'cpu', cval: 3 });
    expect(constant).toBeInstanceOf(Float32Array);
    expectClose(constant, T_POINTS.map((p) => sAt(p, 1, 'constant', 3)), 1e-6);
  });

  it('a cGy source is converted to Gy when resampled, summed and differenced', async () => {
    const sInCGy = withInfo(S, { doseUnits: 'CGY' }, S.pixels, 0.1);
    expectClose(await resampleDoseGy(sInCGy, T, { backend: 'cpu', mode: 'nearest' }), T_POINTS.map((p) => sAt(p, 1, 'nearest', 0)), 1e-6);
    const { dose } = await sumDoseGy([T, sInCGy], { backend: 'cpu', weights: [1, 3], cval: 0.5 });
    expectClose(dose, T_POINTS.map((p, i) => tAt(i) + 3 * sAt(p, 1, 'constant', 0.5)), 1e-9);
    const diff = await doseDifferenceGy(T, sInCGy, { backend: 'cpu', cval: 0.25 });
    expectClose(diff, T_POINTS.map((p, i) => tAt(i) - sAt(p, 1, 'constant', 0.25)), 1e-6);
  });

  it('doseDifferenceGy(T, S) in nearest mode is T - S(clamped point), signed', async () => {
    const diff = await doseDifferenceGy(T, S, { backend: 'cpu', mode: 'nearest', order: 0 });
    expectClose(diff, T_POINTS.map((p, i) => tAt(i) - sAt(p, 0, 'nearest', 0)), 1e-6);
  });

  it('a third, coincident grid is added voxel by voxel after a resampled one', async () => {
    const { dose, coincident } = await sumDoseGy([T, S, T], { backend: 'cpu', weights: [1, 1, 2] });
    expect(coincident).toEqual([true, false, true]);
    expectClose(dose, T_POINTS.map((p, i) => 3 * tAt(i) + sAt(p, 1, 'constant', 0)), 1e-9);
  });
});

describe('which backend resamples, and when none is needed', () => {
  it('a caller\'s backend object resamples each non-coincident grid once and is never disposed', async () => {
    const backend = countingBackend({ kind: 'cpu', adapter: 'caller' } as ComputeBackend['info']);
    const { dose, backendInfo } = await sumDoseGy([T, S, T, S], { backend, weights: [1, 1, 1, 1] });
    expect(backend.resamples).toBe(2);
    expect(backend.disposals).toBe(0);
    expect(backendControl.calls).toEqual([]);
    expect(backendInfo).toEqual({ kind: 'cpu', adapter: 'caller' });
    expectClose(dose, T_POINTS.map((p, i) => 2 * tAt(i) + 2 * sAt(p, 1, 'constant', 0)), 1e-9);
  });

  it('coincident grids never reach a backend: sum, resample and difference add voxel by voxel', async () => {
    const backend = countingBackend({ kind: 'cpu', adapter: 'caller' } as ComputeBackend['info']);
    const t2 = withInfo(T, { source: 'T2' }, Uint32Array.from(T.pixels as Uint32Array, (v, i) => v + 7 * i));
    const sum = await sumDoseGy([T, t2], { backend, weights: [2, 0.5] });
    expect(sum.backendInfo).toEqual({ kind: 'cpu' });
    expect(sum.coincident).toEqual([true, true]);
    expectClose(sum.dose, Array.from(T.pixels, (v, i) => 2 * v * 0.0005 + 0.5 * t2.pixels[i] * 0.0005), 1e-12);
    expectClose(await resampleDoseGy(t2, T, { backend }), Array.from(t2.pixels, (v) => v * 0.0005), 1e-6);
    expectClose(await doseDifferenceGy(T, t2, { backend }), Array.from(T.pixels, (v, i) => (v - t2.pixels[i]) * 0.0005), 1e-6);
    expect(backend.resamples).toBe(0);
  });

  it('resampleDoseGy and doseDifferenceGy use the caller\'s backend for a non-coincident grid', async () => {
    const backend = countingBackend();
    await resampleDoseGy(S, T, { backend });
    await doseDifferenceGy(T, S, { backend });
    expect(backend.resamples).toBe(2);
    expect(backend.disposals).toBe(0);
  });

  it("backend 'cpu' is created as asked and disposed after the sum; the default asks for 'auto'", async () => {
    const made: ReturnType<typeof countingBackend>[] = [];
    backendControl.override = () => {
      const b = countingBackend();
      made.push(b);
      return b;
    };
    await sumDoseGy([T, S], { backend: 'cpu' });
    await sumDoseGy([T, S]);
    await resampleDoseGy(S, T);
    await doseDifferenceGy(T, S, { backend: 'cpu' });
    expect(backendControl.calls).toEqual([{ backend: 'cpu' }, { backend: 'auto' }, { backend: 'auto' }, { backend: 'cpu' }]);
    expect(made.map((b) => [b.resamples, b.disposals])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
  });

  it("a caller's device is used for WebGPU unless the backend is 'cpu'", async () => {
    const device = { createBuffer: () => undefined, queue: {} } as unknown as GPUDevice;
    backendControl.override = () => countingBackend();
    await sumDoseGy([T, S], { backend: 'cpu', device });
    await sumDoseGy([T, S], { device });
    expect(backendControl.calls).toEqual([{ backend: 'cpu' }, { backend: 'webgpu', device }]);
  });
});

describe("a WebGPU device failing mid-sum: 'auto' finishes on the CPU, anything else reports it", () => {
  const lost = (): DosekitError => new DosekitError('E_GPU_LOST', 'the device was lost');
  const expectedSum = T_POINTS.map((p, i) => tAt(i) + 2 * sAt(p, 1, 'constant', 0));

  it.each(['E_GPU_LOST', 'E_GPU_UNAVAILABLE'])("'auto' with %s: the CPU redoes the sum from zero (the coincident grid added once), with a warning; the failed backend is disposed", async (code) => {
    const gpu = failingGpu(new DosekitError(code as 'E_GPU_LOST', 'gone'));
    backendControl.override = (options) => (options.backend === 'auto' ? gpu : undefined);
    const sum = await sumDoseGy([T, S], { weights: [1, 2] });
    expect(backendControl.calls).toEqual([{ backend: 'auto' }, { backend: 'cpu' }]);
    expect(gpu.disposals).toBe(1);
    expect(sum.backendInfo).toEqual({ kind: 'cpu' });
    expect(sum.warnings).toHaveLength(1);
    expect(sum.warnings[0]).toContain('the dose was resampled on the CPU');
    expectClose(sum.dose, expectedSum, 1e-9);
    const grid = await sumDoseGrids([T, S], { weights: [1, 2], backend: 'auto' });
    expect(grid.info.derivation?.warnings).toHaveLength(1);
    expect(grid.info.derivation?.backend).toEqual({ kind: 'cpu' });
  });

  it("resampleDoseGy and doseDifferenceGy fall back the same way with 'auto'", async () => {
    backendControl.override = (options) => (options.backend === 'auto' ? failingGpu(lost()) : undefined);
    expectClose(await resampleDoseGy(S, T), T_POINTS.map((p) => sAt(p, 1, 'constant', 0)), 1e-6);
    expectClose(await doseDifferenceGy(T, S), T_POINTS.map((p, i) => tAt(i) - sAt(p, 1, 'constant', 0)), 1e-6);
  });

  it("an explicit 'webgpu' backend reports the loss (and is disposed)", async () => {
    const gpu = failingGpu(lost());
    backendControl.override = (options) => (options.backend === 'webgpu' ? gpu : undefined);
    const error = await dosekitErrorAsync(() => sumDoseGy([T, S], { backend: 'webgpu' }));
    expect(error.code).toBe('E_GPU_LOST');
    expect(gpu.disposals).toBe(1);
    expect(backendControl.calls).toEqual([{ backend: 'webgpu' }]);
  });

  it("'auto' does not hide other failures: another code, a non-dosekit error, or a failing CPU backend", async () => {
    backendControl.override = (options) => (options.backend === 'auto' ? failingGpu(new DosekitError('E_TOO_LARGE', 'no')) : undefined);
    expect((await dosekitErrorAsync(() => sumDoseGy([T, S]))).code).toBe('E_TOO_LARGE');
    backendControl.override = (options) => (options.backend === 'auto' ? failingGpu(new RangeError('boom')) : undefined);
    await expect(sumDoseGy([T, S])).rejects.toThrow(RangeError);
    // An error that only carries a GPU code (not a dosekit error) is not a GPU loss either.
    backendControl.override = (options) => (options.backend === 'auto' ? failingGpu(Object.assign(new Error('odd'), { code: 'E_GPU_LOST' })) : undefined);
    await expect(sumDoseGy([T, S])).rejects.toThrow('odd');
    backendControl.override = (options) => (options.backend === 'auto' ? failingGpu(lost(), 'cpu') : undefined);
    expect((await dosekitErrorAsync(() => sumDoseGy([T, S]))).code).toBe('E_GPU_LOST');
    expect(backendControl.calls.every((c) => c.backend === 'auto')).toBe(true);
  });
});

describe('an abort between the grids of a resampled sum', () => {
  it('stops before the next grid is resampled', async () => {
    const controller = new AbortController();
    const cpu = createCpuBackend();
    let resamples = 0;
    const backend: ComputeBackend = {
      ...cpu,
      async resample(request, into) {
        resamples += 1;
        await cpu.resample(request, into);
        controller.abort();
      },
    };
    await expect(sumDoseGy([T, S, S], { backend, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(resamples).toBe(1);
  });
});

describe('sums of more than a million voxels (several chunks)', () => {
  // 1025 x 1024 = 1 049 600 voxels, just over the 2^20 voxels of one chunk.
  const big = makeDoseGrid({ rows: 1024, columns: 1025, frames: 1, originMm: [0, 0, 0], pixelSpacingMm: [1, 1], frameOffsetsMm: [0], orientation: 'HFS', scaling: 1, dose: () => 0 });
  const n = big.voxelCount;
  const A = withInfo(big, { source: 'A' }, Uint32Array.from({ length: n }, (_, i) => i % 1000), 0.002);
  const B = withInfo(big, { source: 'B' }, Uint32Array.from({ length: n }, (_, i) => (i * 7) % 501), 0.003);
  const a = (i: number): number => (i % 1000) * 0.002;
  const b = (i: number): number => ((i * 7) % 501) * 0.003;

  function mismatches(actual: ArrayLike<number>, expected: (i: number) => number, tolerance: number): number[] {
    const bad: number[] = [];
    for (let i = 0; i < n; i += 1) if (!(Math.abs(actual[i] - expected(i)) <= tolerance) && bad.length < 5) bad.push(i);
    return bad;
  }

  it('the grid is larger than one chunk of 2^20 voxels', () => {
    expect(n).toBeGreaterThan(2 ** 20);
  });

  it('two grids: every voxel is 2 A + 0.5 B, the chunk boundary included', async () => {
    const { dose } = await sumDoseGy([A, B], { weights: [2, 0.5] });
    expect(mismatches(dose, (i) => 2 * a(i) + 0.5 * b(i), 1e-12)).toEqual([]);
  });

  it('three grids: every voxel is A + B + 3 A', async () => {
    const { dose } = await sumDoseGy([A, B, A], { weights: [1, 1, 3] });
    expect(mismatches(dose, (i) => 4 * a(i) + b(i), 1e-12)).toEqual([]);
  });

  it('doseDifferenceGy(A, B) and resampleDoseGy(B, A) at every voxel', async () => {
    expect(mismatches(await doseDifferenceGy(A, B), (i) => a(i) - b(i), 1e-5)).toEqual([]);
    expect(mismatches(await resampleDoseGy(B, A), b, 1e-5)).toEqual([]);
  });
});

describe('the summed grid: units, summation type, UIDs, comment, source and derivation', () => {
  const base = withInfo(T, {
    sopInstanceUid: '2.25.11',
    seriesInstanceUid: '2.25.12',
    studyInstanceUid: '2.25.13',
    referencedPlanUid: '2.25.14',
    referencedStructureSetUid: '2.25.15',
    doseType: 'PHYSICAL',
    summationType: 'PLAN',
    source: 'a.dcm',
  });
  const other = withInfo(base, {
    sopInstanceUid: '2.25.21',
    seriesInstanceUid: '2.25.22',
    studyInstanceUid: '2.25.23',
    referencedPlanUid: '2.25.24',
    referencedStructureSetUid: '2.25.25',
    source: 'b.dcm',
  });

  it('a coincident sum: the first grid\'s identity, new UIDs, MULTI_PLAN, a direct comment, inputs with their weights', async () => {
    const sum = await sumDoseGrids([base, other], { weights: [1, 0.5] });
    expect(sum.info.sopInstanceUid).not.toBe('2.25.11');
    expect(sum.info.sopInstanceUid).not.toBe('2.25.21');
    expect(sum.info.seriesInstanceUid).toMatch(/^2\.25\.\d+$/);
    expect(sum.info.seriesInstanceUid).not.toBe('2.25.12');
    expect(sum.info.seriesInstanceUid).not.toBe(sum.info.sopInstanceUid);
    expect(sum.info).toMatchObject({
      studyInstanceUid: '2.25.13',
      frameOfReferenceUid: '2.25.7',
      referencedPlanUid: '2.25.14',
      referencedStructureSetUid: '2.25.15',
      doseUnits: 'GY',
      doseType: 'PHYSICAL',
      summationType: 'MULTI_PLAN',
      comment: `dosekit ${VERSION}: sum of 2 doses (direct)`,
      source: 'sum of a.dcm + b.dcm',
    });
    expect(sum.info.derivation).toEqual({
      operation: 'sum',
      inputs: [
        { source: 'a.dcm', sopInstanceUid: '2.25.11', referencedPlanUid: '2.25.14', weight: 1, resampled: false },
        { source: 'b.dcm', sopInstanceUid: '2.25.21', referencedPlanUid: '2.25.24', weight: 0.5, resampled: false },
      ],
      order: 1,
      mode: 'constant',
      backend: { kind: 'cpu' },
      warnings: [],
    });
  });

  it('a resampled sum says it was interpolated, with the order, and marks the resampled input', async () => {
    const s = withInfo(S, { doseType: 'PHYSICAL', summationType: 'PLAN', source: 's.dcm', sopInstanceUid: '2.25.31' });
    const sum = await sumDoseGrids([base, s], { order: 0, mode: 'nearest', backend: 'cpu' });
    expect(sum.info.comment).toBe(`dosekit ${VERSION}: sum of 2 doses (interpolated, order 0)`);
    expect(sum.info.comment!.length).toBeLessThanOrEqual(64);
    expect(sum.info.derivation?.inputs.map((i) => [i.source, i.weight, i.resampled])).toEqual([
      ['a.dcm', 1, false],
      ['s.dcm', 1, true],
    ]);
    expect(sum.info.derivation).toMatchObject({ order: 0, mode: 'nearest', backend: { kind: 'cpu' } });
    const linear = await sumDoseGrids([base, s], { backend: 'cpu' });
    expect(linear.info.comment).toBe(`dosekit ${VERSION}: sum of 2 doses (interpolated, order 1)`);
  });

  it.each([
    [undefined, 2, 'MULTI_PLAN'],
    ['PLAN', 2, 'MULTI_PLAN'],
    ['MULTI_PLAN', 2, 'MULTI_PLAN'],
    ['FRACTION', 2, 'FRACTION'],
    ['BEAM', 3, 'BEAM'],
    ['PLAN', 1, 'PLAN'],
    [undefined, 1, undefined],
  ] as const)('DoseSummationType %s summed over %s grids is %s', async (summationType, count, expected) => {
    const g = withInfo(base, { summationType });
    const sum = await sumDoseGrids(new Array(count).fill(g));
    expect(sum.info.summationType).toBe(expected);
    expect(sum.info.comment).toBe(`dosekit ${VERSION}: sum of ${count} doses (direct)`);
  });

  it('doses in cGy are summed and stored in Gy; relative doses stay relative', async () => {
    const cgy = withInfo(base, { doseUnits: 'CGY' }, base.pixels, 0.05);
    const sum = await sumDoseGrids([cgy, base]);
    expect(sum.info.doseUnits).toBe('GY');
    // 0.05 cGy = 0.0005 Gy per stored unit: twice T.
    Array.from(T.pixels).forEach((v, i) => expect(Math.abs(sum.pixels[i] * sum.doseGridScaling - 2 * v * 0.0005)).toBeLessThanOrEqual(sum.doseGridScaling));
    const relative = withInfo(base, { doseUnits: 'RELATIVE' });
    expect((await sumDoseGrids([relative, relative])).info.doseUnits).toBe('RELATIVE');
  });

  it('a weight of 0 is allowed and drops that grid', async () => {
    const { dose, weights } = await sumDoseGy([base, withInfo(base, { source: 'b.dcm' }, Uint32Array.from(T.pixels as Uint32Array, (v) => 3 * v))], { weights: [1, 0] });
    expect(weights).toEqual([1, 0]);
    expectClose(dose, Array.from(T.pixels, (v) => v * 0.0005), 1e-12);
    const resampled = await sumDoseGy([T, S], { weights: [0, 1], backend: 'cpu' });
    expectClose(resampled.dose, T_POINTS.map((p) => sAt(p, 1, 'constant', 0)), 1e-9);
  });

  it('one grid sums to itself', async () => {
    const { dose, coincident } = await sumDoseGy([base]);
    expect(coincident).toEqual([true]);
    expectClose(dose, Array.from(T.pixels, (v) => v * 0.0005), 1e-12);
    const sum = await sumDoseGrids([base], { weights: [3] });
    Array.from(T.pixels).forEach((v, i) => expect(Math.abs(sum.pixels[i] * sum.doseGridScaling - 3 * v * 0.0005)).toBeLessThanOrEqual(sum.doseGridScaling / 2 + 1e-15));
  });

  it('negative stored values make negative voxels: stored as 0 and counted in a warning; none gives no warning', async () => {
    const signed = withInfo(base, {}, Int32Array.from(T.pixels, (v, i) => (i % 5 === 0 ? -v : v)));
    const sum = await sumDoseGrids([signed, signed]);
    const negatives = Array.from(signed.pixels).filter((v) => v < 0).length;
    expect(negatives).toBeGreaterThan(0);
    expect(sum.info.derivation?.warnings).toEqual([`${negatives} voxels summed to a negative dose (negative stored values in an input) and were stored as 0`]);
    signed.pixels.forEach((v, i) => {
      if (v < 0) expect(sum.pixels[i]).toBe(0);
      else expect(Math.abs(sum.pixels[i] * sum.doseGridScaling - 2 * v * 0.0005)).toBeLessThanOrEqual(sum.doseGridScaling);
    });
  });
});

describe('compatibility of the doses summed', () => {
  const a = withInfo(T, { doseType: 'PHYSICAL', summationType: 'PLAN', source: 'a.dcm' });

  it('relative doses add to relative doses; Gy and cGy add in either order', () => {
    const relative = withInfo(a, { doseUnits: 'RELATIVE' });
    expect(checkSummable(relative, withInfo(relative, { source: 'b.dcm' }), false)).toEqual([]);
    expect(checkSummable(withInfo(a, { doseUnits: 'CGY' }), a, false)).toEqual([]);
    expect(checkSummable(a, withInfo(a, { doseUnits: 'CGY' }), false)).toEqual([]);
  });

  it.each([
    ['GY', 'RELATIVE'],
    ['RELATIVE', 'CGY'],
    ['CGY', 'RELATIVE'],
    ['RELATIVE', 'OTHER'],
  ])('DoseUnits %s and %s do not add', (first, second) => {
    const error = (() => {
      try {
        checkSummable(withInfo(a, { doseUnits: first }), withInfo(a, { doseUnits: second }), false);
      } catch (e) {
        return e as DosekitError;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ code: 'E_INCOMPATIBLE_DOSE', details: { attribute: 'DoseUnits' } });
  });

  it('a missing attribute differs from a present one; the first mismatch is the one named', () => {
    expect(() => checkSummable(a, withInfo(a, { summationType: undefined }), false)).toThrow(expect.objectContaining({ code: 'E_INCOMPATIBLE_DOSE', details: expect.objectContaining({ attribute: 'DoseSummationType' }) }));
    const b = withInfo(a, { doseType: 'EFFECTIVE', frameOfReferenceUid: '2.25.99', source: 'b.dcm' });
    expect(() => checkSummable(a, b, false)).toThrow(expect.objectContaining({ details: expect.objectContaining({ attribute: 'DoseType' }) }));
  });

  it('a value missing from the first grid is written as null', () => {
    const first = withInfo(a, { summationType: undefined });
    expect(checkSummable(first, withInfo(a, { source: 'b.dcm' }), true)).toEqual(['DoseSummationType differs: null in a.dcm, "PLAN" in b.dcm; summed anyway (force)']);
  });

  it('with force every mismatch is a warning, in order, naming both values and files', () => {
    const b = withInfo(a, { doseType: 'EFFECTIVE', summationType: undefined, frameOfReferenceUid: '2.25.99', source: 'b.dcm' });
    expect(checkSummable(a, b, true)).toEqual([
      'DoseType differs: "PHYSICAL" in a.dcm, "EFFECTIVE" in b.dcm; summed anyway (force)',
      'DoseSummationType differs: "PLAN" in a.dcm, null in b.dcm; summed anyway (force)',
      'FrameOfReferenceUID differs: "2.25.7" in a.dcm, "2.25.99" in b.dcm; summed anyway (force)',
    ]);
  });

  it('sumDoseGrids checks every grid against the first; force sums and keeps the first frame of reference', async () => {
    const c = withInfo(a, { frameOfReferenceUid: '2.25.99', source: 'c.dcm' });
    await expect(sumDoseGrids([a, a, c])).rejects.toMatchObject({ code: 'E_INCOMPATIBLE_DOSE', details: { attribute: 'FrameOfReferenceUID', file: 'c.dcm' } });
    const forced = await sumDoseGrids([a, a, c], { force: true });
    expect(forced.info.frameOfReferenceUid).toBe('2.25.7');
    expect(forced.info.derivation?.warnings).toEqual(['FrameOfReferenceUID differs: "2.25.7" in a.dcm, "2.25.99" in c.dcm; summed anyway (force)']);
  });

  it('doseDifferenceGy refuses incompatible doses unless forced', async () => {
    const b = withInfo(a, { doseType: 'EFFECTIVE', source: 'b.dcm' });
    await expect(doseDifferenceGy(a, b)).rejects.toMatchObject({ code: 'E_INCOMPATIBLE_DOSE' });
    const diff = await doseDifferenceGy(a, b, { force: true });
    expect(diff.every((v) => v === 0)).toBe(true);
  });
});

describe('arguments and options of the dose functions', () => {
  const code = async (work: () => Promise<unknown>): Promise<[string, unknown]> => {
    const error = await dosekitErrorAsync(work);
    return [error.code, (error.details as { argument?: unknown } | undefined)?.argument];
  };
  const notAGrid = { geometry: T.geometry, pixels: T.pixels } as unknown as DoseGrid;

  it('every grid argument must be a DoseGrid', async () => {
    expect((await code(() => sumDoseGrids([T, notAGrid])))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => sumDoseGrids([notAGrid])))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => resampleDoseGy(notAGrid, T)))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => resampleDoseGy(T, notAGrid)))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => doseDifferenceGy(notAGrid, T)))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => doseDifferenceGy(T, notAGrid)))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => sumDoseGrids('T' as unknown as DoseGrid[])))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => sumDoseGrids([])))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => sumDoseGy([], { weights: [] })))[0]).toBe('E_INVALID_ARGUMENT');
  });

  it('the message names which grid argument is not a DoseGrid', async () => {
    const message = async (work: () => Promise<unknown>) => (await dosekitErrorAsync(work)).message;
    expect(await message(() => sumDoseGrids([T, T, notAGrid]))).toMatch(/^dose 3 must be a DoseGrid/);
    expect(await message(() => sumDoseGrids([notAGrid, T]))).toMatch(/^dose 1 must be a DoseGrid/);
    expect(await message(() => resampleDoseGy(notAGrid, T))).toMatch(/^the source must be a DoseGrid/);
    expect(await message(() => resampleDoseGy(T, notAGrid))).toMatch(/^the target must be a DoseGrid/);
    expect(await message(() => doseDifferenceGy(notAGrid, T))).toMatch(/^the first dose must be a DoseGrid/);
    expect(await message(() => doseDifferenceGy(T, notAGrid))).toMatch(/^the second dose must be a DoseGrid/);
  });

  it('order must be 0 or 1 and mode constant or nearest (checked even when no resampling is needed)', async () => {
    for (const order of [2, -1, 0.5]) expect((await code(() => sumDoseGy([T, T], { order: order as 1 })))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => sumDoseGy([T, T], { mode: 'wrap' as 'nearest' })))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => resampleDoseGy(T, T, { mode: 'reflect' as 'nearest' })))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => doseDifferenceGy(T, T, { order: 3 as 1 })))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await sumDoseGy([T, T], { order: 0, mode: 'nearest', cval: 0 })).resolved).toEqual({ order: 0, mode: 'nearest', cvalGy: 0 });
  });

  it('cval, weights, force and memoryLimitBytes are checked by name at the call', async () => {
    expect(await code(() => sumDoseGy([T, T], { cval: -1 }))).toEqual(['E_INVALID_ARGUMENT', 'options.cval']);
    expect(await code(() => sumDoseGy([T, T], { cval: Number.NaN }))).toEqual(['E_INVALID_ARGUMENT', 'options.cval']);
    expect(await code(() => resampleDoseGy(S, T, { cval: -0.5 }))).toEqual(['E_INVALID_ARGUMENT', 'options.cval']);
    expect(await code(() => sumDoseGy([T, T], { weights: [1, -1] }))).toEqual(['E_INVALID_ARGUMENT', 'options.weights[1]']);
    expect(await code(() => sumDoseGy([T, T], { weights: [Infinity, 1] }))).toEqual(['E_INVALID_ARGUMENT', 'options.weights[0]']);
    expect(await code(() => sumDoseGy([T, T], { weights: '1,1' as unknown as number[] }))).toEqual(['E_INVALID_ARGUMENT', 'options.weights']);
    expect(await code(() => sumDoseGy([T, T], { force: 'yes' as unknown as boolean }))).toEqual(['E_INVALID_ARGUMENT', 'options.force']);
    expect(await code(() => doseDifferenceGy(T, T, { force: 1 as unknown as boolean }))).toEqual(['E_INVALID_ARGUMENT', 'options.force']);
    expect(await code(() => sumDoseGy([T, T], { backend: 'gpu' as 'cpu' }))).toEqual(['E_INVALID_ARGUMENT', 'options.backend']);
    expect(await code(() => resampleDoseGy(S, T, { memoryLimitBytes: 0 }))).toEqual(['E_INVALID_ARGUMENT', 'options.memoryLimitBytes']);
    expect((await code(() => sumDoseGy([T, T], { weights: [1] })))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => sumDoseGy([T, T], { weights: [1, 1, 1] })))[0]).toBe('E_INVALID_ARGUMENT');
  });

  it('unknown options are refused; weights and force belong to sums and differences, not to resampleDoseGy', async () => {
    expect((await code(() => sumDoseGy([T, T], { weight: 2 } as never)))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => resampleDoseGy(S, T, { weights: [1] } as never)))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => resampleDoseGy(S, T, { force: true } as never)))[0]).toBe('E_INVALID_ARGUMENT');
    expect((await code(() => resampleDoseGy(S, T, null as never)))[0]).toBe('E_INVALID_ARGUMENT');
    await expect(doseDifferenceGy(T, T, { force: false, weights: [1, 1], cval: 0, memoryLimitBytes: 1e9 })).resolves.toBeInstanceOf(Float32Array);
    await expect(resampleDoseGy(S, T, { order: 1, mode: 'constant', cval: 0, backend: 'cpu', memoryLimitBytes: 1e9, signal: new AbortController().signal })).resolves.toBeInstanceOf(Float32Array);
  });

  it('a sum needs 16 bytes a voxel of the first grid: exactly that passes, a byte less is E_TOO_LARGE', async () => {
    const need = T.voxelCount * 16;
    // At the ceiling the sum is computed whole: the same voxels as without a ceiling.
    const atLimit = await sumDoseGy([T, S], { memoryLimitBytes: need, backend: 'cpu' });
    const unlimited = await sumDoseGy([T, S], { backend: 'cpu' });
    expect(atLimit.dose).toHaveLength(T.voxelCount);
    expect(Array.from(atLimit.dose)).toEqual(Array.from(unlimited.dose));
    const tooLarge = await dosekitErrorAsync(() => sumDoseGy([T, S], { memoryLimitBytes: need - 1, backend: 'cpu' }));
    expect(tooLarge.code).toBe('E_TOO_LARGE');
    const g = T.geometry;
    expect(tooLarge.message).toContain(`summing onto the ${g.columns} x ${g.rows} x ${g.frames} grid of ${T.info.source}`);
  });

  it('an already aborted signal stops a sum before any work', async () => {
    const controller = new AbortController();
    controller.abort();
    const backend = countingBackend();
    await expect(sumDoseGy([T, S], { backend, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(backend.resamples).toBe(0);
  });
});

describe('the DoseComment of a sum', () => {
  it('is the version, the number of doses and how they were added, within the 64 characters of an LO', () => {
    expect(sumComment(2, 'direct', '1.2.3')).toBe('dosekit 1.2.3: sum of 2 doses (direct)');
    expect(sumComment(12, 'interpolated, order 0', '0.1.0')).toBe('dosekit 0.1.0: sum of 12 doses (interpolated, order 0)');
    expect(sumComment(3, 'direct')).toBe(`dosekit ${VERSION}: sum of 3 doses (direct)`);
  });

  it('a longer text is cut to 64 characters ending in "..."; exactly 64 is kept whole', () => {
    const version = '1.0.0-rc.1+build.20261207.abcdef';
    const full = `dosekit ${version}: sum of 5 doses (interpolated, order 1)`;
    expect(full.length).toBeGreaterThan(64);
    const cut = sumComment(5, 'interpolated, order 1', version);
    expect(cut).toHaveLength(64);
    expect(cut).toBe(`${full.slice(0, 61)}...`);
    const exact = 'x'.repeat(64 - 'dosekit : sum of 1 doses (direct)'.length);
    expect(sumComment(1, 'direct', exact)).toBe(`dosekit ${exact}: sum of 1 doses (direct)`);
    expect(sumComment(1, 'direct', exact)).toHaveLength(64);
    expect(sumComment(1, 'direct', `${exact}y`)).toMatch(/^dosekit x+y: sum of 1 doses \(dir\.\.\.$/);
  });
});

describe('scaleDoseGrid', () => {
  const g = withInfo(T, { sopInstanceUid: '2.25.41', seriesInstanceUid: '2.25.42', studyInstanceUid: '2.25.43', summationType: 'FRACTION', doseType: 'PHYSICAL', referencedPlanUid: '2.25.44', source: 'g.dcm' });

  it('multiplies every voxel (Gy), keeps the summation type and identity, records the factor', () => {
    const scaled = scaleDoseGrid(g, 2.5);
    T.pixels.forEach((v, i) => expect(Math.abs(scaled.pixels[i] * scaled.doseGridScaling - 2.5 * v * 0.0005)).toBeLessThanOrEqual(scaled.doseGridScaling / 2 + 1e-15));
    expect(scaled.info).toMatchObject({
      studyInstanceUid: '2.25.43',
      frameOfReferenceUid: '2.25.7',
      summationType: 'FRACTION',
      doseType: 'PHYSICAL',
      doseUnits: 'GY',
      comment: `dosekit ${VERSION}: dose x 2.5`,
      source: '2.5 x g.dcm',
    });
    expect(scaled.info.sopInstanceUid).not.toBe('2.25.41');
    expect(scaled.info.seriesInstanceUid).not.toBe('2.25.42');
    expect(scaled.info.seriesInstanceUid).not.toBe(scaled.info.sopInstanceUid);
    expect(scaled.info.derivation).toEqual({
      operation: 'scale',
      inputs: [{ source: 'g.dcm', sopInstanceUid: '2.25.41', referencedPlanUid: '2.25.44', weight: 2.5, resampled: false }],
      order: 1,
      mode: 'constant',
      backend: { kind: 'cpu' },
      warnings: [],
    });
  });

  it('a cGy grid is scaled into Gy; a relative grid stays relative', () => {
    const cgy = withInfo(g, { doseUnits: 'CGY' }, g.pixels, 0.05);
    const scaled = scaleDoseGrid(cgy, 4);
    expect(scaled.info.doseUnits).toBe('GY');
    T.pixels.forEach((v, i) => expect(Math.abs(scaled.pixels[i] * scaled.doseGridScaling - 4 * v * 0.0005)).toBeLessThanOrEqual(scaled.doseGridScaling));
    expect(scaleDoseGrid(withInfo(g, { doseUnits: 'RELATIVE' }), 2).info.doseUnits).toBe('RELATIVE');
  });

  it('a factor of 0 gives an all-zero grid with scaling 1; negative, infinite, NaN and non-number factors are refused', () => {
    const zero = scaleDoseGrid(g, 0);
    expect(zero.pixels.every((v) => v === 0)).toBe(true);
    expect(zero.doseGridScaling).toBe(1);
    for (const factor of [-1, -1e-300, Infinity, -Infinity, Number.NaN, '2', null]) {
      // Refused by the factor check itself (whose details name the factor), not later on.
      expect(() => scaleDoseGrid(g, factor as number)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', details: { factor } }));
    }
    expect(() => scaleDoseGrid({} as DoseGrid, 2)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });

  it('the comment and source name a factor with all its digits', () => {
    const scaled = scaleDoseGrid(g, 1 / 3);
    expect(scaled.info.comment).toBe(`dosekit ${VERSION}: dose x 0.3333333333333333`);
    expect(scaled.info.source).toBe('0.3333333333333333 x g.dcm');
  });
});

describe('quantizeDose and fullRangeScaling', () => {
  it('a maximum of (2^32 - 1) nGy gets scaling 1e-9 exactly, the top stored value, and its neighbour one below', () => {
    const { pixels, doseGridScaling, negativeVoxels } = quantizeDose(Float64Array.of(4.294967295, 4.294967294, 1e-9, 0.4e-9, 0.6e-9));
    expect(doseGridScaling).toBe(1e-9);
    expect(Array.from(pixels)).toEqual([UINT32_MAX, UINT32_MAX - 1, 1, 0, 1]);
    expect(negativeVoxels).toBe(0);
    expect(fullRangeScaling(4.294967295)).toBe(1e-9);
  });

  it('zeros are not negative voxels; each negative one is counted once', () => {
    const { pixels, doseGridScaling, negativeVoxels } = quantizeDose(Float64Array.of(0, 3, -0.5, 0, -2, 1.5));
    expect(negativeVoxels).toBe(2);
    expect(pixels[0]).toBe(0);
    expect(pixels[2]).toBe(0);
    expect(pixels[4]).toBe(0);
    expect(pixels[1]).toBeGreaterThanOrEqual(UINT32_MAX - 1);
    expect(Math.abs(pixels[5] * doseGridScaling - 1.5)).toBeLessThanOrEqual(doseGridScaling / 2);
  });

  it('the maximum may be anywhere, and float32 input works as float64', () => {
    const dose = Float32Array.of(1, 2, 8, 4);
    const { pixels, doseGridScaling } = quantizeDose(dose);
    expect(Math.abs(pixels[2] * doseGridScaling - 8)).toBeLessThanOrEqual(doseGridScaling / 2);
    expect(pixels[0]).toBe(Math.round(1 / doseGridScaling));
    expect(pixels[3]).toBe(Math.round(4 / doseGridScaling));
  });

  it('a maximum that is not positive gets scaling 1; an empty dose too', () => {
    expect(fullRangeScaling(0)).toBe(1);
    expect(fullRangeScaling(-3)).toBe(1);
    expect(fullRangeScaling(Number.NaN)).toBe(1);
    expect(quantizeDose(Float64Array.of(-1, -2))).toMatchObject({ doseGridScaling: 1, negativeVoxels: 2 });
    expect(quantizeDose(new Float64Array(0)).doseGridScaling).toBe(1);
  });

  it('every voxel is within half a step, and no stored value passes the top of the range, for maxima from 1e-6 to 1e6 Gy', () => {
    for (let e = -6; e <= 6; e += 0.37) {
      const max = 10 ** e;
      const values = Float64Array.of(max, max * 0.999999999, max / 7, max * 0.5);
      const { pixels, doseGridScaling } = quantizeDose(values);
      values.forEach((v, i) => expect(Math.abs(pixels[i] * doseGridScaling - v)).toBeLessThanOrEqual(doseGridScaling / 2 + 1e-9 * doseGridScaling));
      expect(pixels[0]).toBeGreaterThan(UINT32_MAX - 3);
      expect(Math.round(max / doseGridScaling)).toBeLessThanOrEqual(UINT32_MAX);
    }
  });
});

describe('resampleTables: where each target voxel falls in the source, per axis', () => {
  /** The column table of a 1-row, 1-frame target at x = x0 + step i onto a 5-column source at x = 0, 10, ..., 40 (stride 1), rows 3 (stride 5). */
  function columnTable(x0: number, step: number, count: number, order: 0 | 1, mode: 'constant' | 'nearest') {
    const source = makeDoseGrid({ rows: 3, columns: 5, frames: 2, originMm: [0, 0, 0], pixelSpacingMm: [10, 10], frameOffsetsMm: [0, 10], orientation: 'HFS', scaling: 1, dose: () => 0 }).geometry;
    const target = makeDoseGrid({ rows: 1, columns: count, frames: 1, originMm: [x0, 0, 0], pixelSpacingMm: [1, step], frameOffsetsMm: [0], orientation: 'HFS', scaling: 1, dose: () => 0 }).geometry;
    const { column, row, frame } = resampleTables(target, source, order, mode);
    const list = (t: typeof column) => Array.from(t.lowerOffset, (o, i) => [o, t.upperStep[i], Number(t.upperWeight[i].toFixed(12))]);
    return { column: list(column), row: list(row), frame: list(frame) };
  }

  it("order 1, 'constant': -1 outside, the edges themselves inside with one neighbour, a weight between", () => {
    // x = -5, 0, 5, 10, 12.5, 40, 45 -> indices -0.5, 0, 0.5, 1, 1.25, 4, 4.5 (n = 5).
    const t = columnTable(-5, 5, 11, 1, 'constant').column;
    expect(t).toEqual([
      [-1, 0, 0],
      [0, 0, 0],
      [0, 1, 0.5],
      [1, 0, 0],
      [1, 1, 0.5],
      [2, 0, 0],
      [2, 1, 0.5],
      [3, 0, 0],
      [3, 1, 0.5],
      [4, 0, 0],
      [-1, 0, 0],
    ]);
  });

  it("order 1, 'nearest': outside clamps to the edge voxel", () => {
    const t = columnTable(-7, 3.5, 15, 1, 'nearest').column;
    // x = -7 + 3.5 i: indices -0.7, -0.35, 0, 0.35, ..., 4.2 (i = 14 gives 42, index 4.2).
    expect(t[0]).toEqual([0, 0, 0]);
    expect(t[1]).toEqual([0, 0, 0]);
    expect(t[2]).toEqual([0, 0, 0]);
    expect(t[3]).toEqual([0, 1, 0.35]);
    expect(t[5]).toEqual([1, 1, 0.05]);
    expect(t[14]).toEqual([4, 0, 0]);
  });

  it('order 0: the nearest index, halves rounding up, no upper neighbour; outside as the mode says', () => {
    // x = -5, 0, 5, ..., 45 -> indices -0.5, 0, 0.5, ..., 4.5.
    expect(columnTable(-5, 5, 11, 0, 'constant').column.map((e) => e[0])).toEqual([-1, 0, 1, 1, 2, 2, 3, 3, 4, 4, -1]);
    expect(columnTable(-5, 5, 11, 0, 'nearest').column).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4].map((o) => [o, 0, 0]));
    // Just below a half rounds down: x = 14.9 is index 1.49.
    expect(columnTable(14.9, 1, 1, 0, 'constant').column).toEqual([[1, 0, 0]]);
    expect(columnTable(15.1, 1, 1, 0, 'constant').column).toEqual([[2, 0, 0]]);
  });

  it('row and frame offsets are multiplied by their strides (5 columns a row, 15 voxels a frame)', () => {
    const { row, frame } = columnTable(0, 1, 1, 1, 'constant');
    // Target row y = 0 is source row 0; target frame z = 0 is source frame 0.
    expect(row).toEqual([[0, 0, 0]]);
    expect(frame).toEqual([[0, 0, 0]]);
    const source = makeDoseGrid({ rows: 3, columns: 5, frames: 2, originMm: [0, 0, 0], pixelSpacingMm: [10, 10], frameOffsetsMm: [0, 10], orientation: 'HFS', scaling: 1, dose: () => 0 }).geometry;
    const target = makeDoseGrid({ rows: 4, columns: 1, frames: 3, originMm: [0, 5, 2.5], pixelSpacingMm: [5, 1], frameOffsetsMm: [0, 2.5, 7.5], orientation: 'HFS', scaling: 1, dose: () => 0 }).geometry;
    const tables = resampleTables(target, source, 1, 'constant');
    // y = 5, 10, 15, 20 -> row indices 0.5, 1, 1.5, 2.
    expect(Array.from(tables.row.lowerOffset)).toEqual([0, 5, 5, 10]);
    expect(Array.from(tables.row.upperStep)).toEqual([5, 0, 5, 0]);
    expect(Array.from(tables.row.upperWeight)).toEqual([0.5, 0, 0.5, 0]);
    // z = 2.5, 5, 10 -> frame indices 0.25, 0.5, 1.
    expect(Array.from(tables.frame.lowerOffset)).toEqual([0, 0, 15]);
    expect(Array.from(tables.frame.upperStep)).toEqual([15, 15, 0]);
    expect(Array.from(tables.frame.upperWeight)).toEqual([0.25, 0.5, 0]);
    const nearest = resampleTables(target, source, 0, 'nearest');
    expect(Array.from(nearest.row.lowerOffset)).toEqual([5, 5, 10, 10]);
    expect(Array.from(nearest.frame.lowerOffset)).toEqual([0, 15, 15]);
  });

  it('each target axis reads the source axis on the same patient axis (an HFDL target on an HFS source)', () => {
    const source = makeDoseGrid({ rows: 3, columns: 5, frames: 1, originMm: [0, 0, 0], pixelSpacingMm: [10, 10], frameOffsetsMm: [0], orientation: 'HFS', scaling: 1, dose: () => 0 }).geometry;
    // HFDL: columns run along -y, rows along +x.
    const target = makeDoseGrid({ rows: 2, columns: 3, frames: 1, originMm: [10, 20, 0], pixelSpacingMm: [10, 5], frameOffsetsMm: [0], orientation: 'HFDL', scaling: 1, dose: () => 0 }).geometry;
    const tables = resampleTables(target, source, 1, 'constant');
    // Columns: y = 20, 15, 10 -> source rows 2, 1.5, 1 (stride 5).
    expect(Array.from(tables.column.lowerOffset)).toEqual([10, 5, 5]);
    expect(Array.from(tables.column.upperWeight)).toEqual([0, 0.5, 0]);
    // Rows: x = 10, 20 -> source columns 1, 2 (stride 1).
    expect(Array.from(tables.row.lowerOffset)).toEqual([1, 2]);
  });

  it('a one-frame source met by no target plane is outside in constant mode and its frame in nearest mode', () => {
    const source = makeDoseGrid({ rows: 2, columns: 2, frames: 1, originMm: [0, 0, 0], pixelSpacingMm: [1, 1], frameOffsetsMm: [0], orientation: 'HFS', scaling: 1, dose: () => 0 }).geometry;
    const target = makeDoseGrid({ rows: 1, columns: 1, frames: 3, originMm: [0, 0, -1], pixelSpacingMm: [1, 1], frameOffsetsMm: [0, 1, 2], orientation: 'HFS', scaling: 1, dose: () => 0 }).geometry;
    expect(Array.from(resampleTables(target, source, 1, 'constant').frame.lowerOffset)).toEqual([-1, 0, -1]);
    expect(Array.from(resampleTables(target, source, 1, 'nearest').frame.lowerOffset)).toEqual([0, 0, 0]);
    expect(Array.from(resampleTables(target, source, 1, 'nearest').frame.upperStep)).toEqual([0, 0, 0]);
  });

  it('an index that is not a number (two source frames at one z) counts as beyond the last index', () => {
    const two = makeDoseGrid({ rows: 1, columns: 1, frames: 2, originMm: [0, 0, 0], pixelSpacingMm: [1, 1], frameOffsetsMm: [0, 1], orientation: 'HFS', scaling: 1, dose: () => 0 }).geometry;
    const source: GridGeometry = { ...two, frameZMm: Float64Array.of(0, 0), frameOffsetsMm: Float64Array.of(0, 0) };
    const target = makeDoseGrid({ rows: 1, columns: 1, frames: 1, originMm: [0, 0, 0], pixelSpacingMm: [1, 1], frameOffsetsMm: [0], orientation: 'HFS', scaling: 1, dose: () => 0 }).geometry;
    const constant = resampleTables(target, source, 1, 'constant').frame;
    expect(Array.from(constant.lowerOffset)).toEqual([-1]);
    const nearest = resampleTables(target, source, 1, 'nearest').frame;
    expect([nearest.lowerOffset[0], nearest.upperStep[0], nearest.upperWeight[0]]).toEqual([1, 0, 0]);
  });

  it('a source with no axis along one of the target\'s patient axes is an error naming the axis', () => {
    const good = makeDoseGrid({ rows: 2, columns: 2, frames: 1, originMm: [0, 0, 0], pixelSpacingMm: [1, 1], frameOffsetsMm: [0], orientation: 'HFS', scaling: 1, dose: () => 0 }).geometry;
    const broken: GridGeometry = { ...good, columnCosines: [1, 0, 0] };
    expect(() => resampleTables(good, broken, 1, 'constant')).toThrow(/no source axis along patient axis 1/);
  });
});
