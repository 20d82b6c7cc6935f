// SPDX-License-Identifier: BSD-3-Clause
// The trilinear-resample kernel on WebGPU (Dawn in Node) against the CPU reference: the example
// doses resampled onto each other, seeded random grids in all eight orientations, identity
// resampling (exact), forced z-slabs, the outside value, and the failure paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trilinearResample } from '../../fallback/trilinear-resample.js';
import type { ComputeBackend } from '../../src/backend/compute-backend.js';
import { createCpuBackend } from '../../src/backend/cpu-backend.js';
import { DicomParser } from '../../src/dicom/parser.js';
import { type ResampleMode, type ResampleOrder, resampleTables } from '../../src/dose/resample-tables.js';
import { type AcquiredDevice, acquireDevice } from '../../src/gpu/device.js';
import { planResampleSlabs, runTrilinearResample } from '../../src/gpu/trilinear-resample.js';
import { createWebGpuBackend } from '../../src/gpu/webgpu-backend.js';
import type { ResampleRequest, ResampleSource } from '../../src/kernels/trilinear-resample.js';
import type { DoseGrid } from '../../src/model/dose-grid.js';
import type { GridGeometry } from '../../src/model/grid-geometry.js';
import { type PatientOrientation, classifyOrientation } from '../../src/model/orientation.js';
import { examplePath } from '../helpers/examples.js';
import { mulberry32 } from '../helpers/point-in-path.js';
import { ALL_ORIENTATIONS, ORIENTATION_COSINES } from '../helpers/synthetic.js';
import { skipWithoutDevice, testDevice } from '../helpers/webgpu.js';

let device: AcquiredDevice | null = null;
let gpu: ComputeBackend;
const cpu = createCpuBackend();

beforeAll(async () => {
  device = await testDevice();
  if (device) gpu = createWebGpuBackend(device);
}, 120_000);
afterAll(() => gpu?.dispose());

/** A grid geometry built by hand: `centreMm` is where the middle of the grid lies. */
function geometry(spec: {
  orientation: PatientOrientation;
  columns: number;
  rows: number;
  frameOffsetsMm: readonly number[];
  pixelSpacingMm: readonly [number, number];
  centreMm: readonly [number, number, number];
}): GridGeometry {
  const { orientation, columns, rows, pixelSpacingMm, centreMm } = spec;
  const cos = ORIENTATION_COSINES[orientation];
  const entry = classifyOrientation(cos);
  const [dr, dc] = pixelSpacingMm;
  const offsets = Float64Array.from(spec.frameOffsetsMm);
  const sign = entry.headFirst ? 1 : -1;
  const lastOffset = offsets[offsets.length - 1];
  const originMm: [number, number, number] = [
    centreMm[0] - (cos[0] * dc * (columns - 1) + cos[3] * dr * (rows - 1)) / 2,
    centreMm[1] - (cos[1] * dc * (columns - 1) + cos[4] * dr * (rows - 1)) / 2,
    centreMm[2] - (sign * lastOffset) / 2,
  ];
  return {
    rows,
    columns,
    frames: offsets.length,
    originMm,
    rowCosines: [cos[0], cos[1], cos[2]],
    columnCosines: [cos[3], cos[4], cos[5]],
    pixelSpacingMm: [dr, dc],
    frameOffsetsMm: offsets,
    frameZMm: Float64Array.from(offsets, (o) => originMm[2] + sign * o),
    orientation: entry.name,
    xLutIndex: entry.xLutIndex,
    headFirst: entry.headFirst,
  };
}

function request(target: GridGeometry, source: GridGeometry, values: ResampleSource, order: ResampleOrder, mode: ResampleMode, gain = 1, outsideValue = 0): ResampleRequest {
  return { columns: target.columns, rows: target.rows, frames: target.frames, ...resampleTables(target, source, order, mode), source: values, gain, outsideValue };
}

function voxelCount(g: GridGeometry): number {
  return g.columns * g.rows * g.frames;
}

/** GPU and CPU results from the same starting contents. */
async function both(req: ResampleRequest, initial?: Float64Array): Promise<{ gpuOut: Float64Array; cpuOut: Float64Array }> {
  const n = req.columns * req.rows * req.frames;
  const gpuOut = initial ? initial.slice() : new Float64Array(n);
  const cpuOut = initial ? initial.slice() : new Float64Array(n);
  await gpu.resample(req, gpuOut);
  await cpu.resample(req, cpuOut);
  return { gpuOut, cpuOut };
}

/** Largest |a - b| and largest |b|. */
function compare(a: Float64Array, b: Float64Array): { diff: number; max: number } {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let max = 0;
  for (let i = 0; i < a.length; i += 1) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    max = Math.max(max, Math.abs(b[i]));
  }
  return { diff, max };
}

/** Bit-for-bit equality (toEqual walks millions of elements far too slowly). */
function expectIdentical(a: Float64Array, b: Float64Array, label: string): void {
  expect(a.length).toBe(b.length);
  let first = -1;
  let count = 0;
  for (let i = 0; i < a.length; i += 1) {
    if (Object.is(a[i], b[i])) continue;
    if (first < 0) first = i;
    count += 1;
  }
  expect(count, `${label}: ${count} voxels differ, the first at ${first} (${a[first]} against ${b[first]})`).toBe(0);
}

function expectClose(a: Float64Array, b: Float64Array, label: string): void {
  const { diff, max } = compare(a, b);
  expect(diff, `${label}: max |GPU - CPU| ${diff} against max ${max}`).toBeLessThanOrEqual(1e-6 * max);
}

/** Whether target voxel i lies outside the source according to the tables. */
function outsideMask(req: ResampleRequest): Uint8Array {
  const mask = new Uint8Array(req.columns * req.rows * req.frames);
  let i = 0;
  for (let f = 0; f < req.frames; f += 1) {
    for (let r = 0; r < req.rows; r += 1) {
      for (let c = 0; c < req.columns; c += 1, i += 1) {
        mask[i] = req.frame.lowerOffset[f] < 0 || req.row.lowerOffset[r] < 0 || req.column.lowerOffset[c] < 0 ? 1 : 0;
      }
    }
  }
  return mask;
}

function frameOffsets(random: () => number, frames: number, spacing: number): number[] {
  const nonUniform = random() < 0.35;
  const descending = random() < 0.2;
  const out = [0];
  for (let k = 1; k < frames; k += 1) out.push(out[k - 1] + (nonUniform ? spacing * (0.5 + random() * 1.5) : spacing));
  return descending ? out.map((o) => -o) : out;
}

interface RandomCase {
  readonly target: GridGeometry;
  readonly source: GridGeometry;
  readonly values: Uint16Array | Uint32Array;
  readonly order: ResampleOrder;
  readonly mode: ResampleMode;
  readonly gain: number;
  readonly outsideValue: number;
}

function randomCase(seed: number): RandomCase {
  const random = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const sourceSpacing: [number, number] = [1 + random() * 3, 1 + random() * 3];
  const sourceFrameSpacing = 1 + random() * 3;
  const centre: [number, number, number] = [random() * 100 - 50, random() * 100 - 50, random() * 100 - 50];
  const source = geometry({
    orientation: pick(ALL_ORIENTATIONS),
    columns: int(1, 40),
    rows: int(1, 40),
    frameOffsetsMm: frameOffsets(random, int(1, 24), sourceFrameSpacing),
    pixelSpacingMm: sourceSpacing,
    centreMm: centre,
  });
  // Sometimes the target lies on the source's lattice (whole indices: weight-0 paths).
  const aligned = random() < 0.25;
  const jitter = (scale: number) => (aligned ? Math.round(random() * 6 - 3) * scale : (random() * 2 - 1) * 3 * scale);
  const target = geometry({
    orientation: aligned ? source.orientation : pick(ALL_ORIENTATIONS),
    columns: int(1, 40),
    rows: int(1, 40),
    frameOffsetsMm: aligned ? Array.from(source.frameOffsetsMm) : frameOffsets(random, int(1, 30), 1 + random() * 3),
    pixelSpacingMm: aligned ? sourceSpacing : [1 + random() * 3, 1 + random() * 3],
    centreMm: [centre[0] + jitter(sourceSpacing[0]), centre[1] + jitter(sourceSpacing[1]), centre[2] + (aligned ? 0 : jitter(sourceFrameSpacing))],
  });
  const wide = random() < 0.5;
  const n = voxelCount(source);
  const values = wide ? Uint32Array.from({ length: n }, () => Math.floor(random() * 4294967296)) : Uint16Array.from({ length: n }, () => Math.floor(random() * 65536));
  return {
    target,
    source,
    values,
    order: random() < 0.5 ? 0 : 1,
    mode: random() < 0.5 ? 'constant' : 'nearest',
    gain: random() < 0.2 ? 1 : random() * 1e-3,
    outsideValue: random() < 0.5 ? 0 : random() * 10,
  };
}

let example: { substitute: DoseGrid; shifted: DoseGrid } | null = null;
async function examples(): Promise<{ substitute: DoseGrid; shifted: DoseGrid }> {
  example ??= {
    substitute: (await DicomParser.fromFile(examplePath('rtdose_substitute.dcm'))).toDoseGrid(),
    shifted: (await DicomParser.fromFile(examplePath('rtdose_shifted.dcm'))).toDoseGrid(),
  };
  return example;
}

describe('trilinear-resample on WebGPU: parity with the CPU', () => {
  it('resamples the example doses onto each other (order 1 within 1e-6 of the max dose, order 0 exact)', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const { substitute, shifted } = await examples();
    for (const [from, onto, label] of [
      [substitute, shifted, 'substitute onto shifted'],
      [shifted, substitute, 'shifted onto substitute'],
    ] as const) {
      for (const order of [1, 0] as const) {
        const req = request(onto.geometry, from.geometry, from.pixels, order, 'constant', from.gyPerStoredUnit, 0);
        const { gpuOut, cpuOut } = await both(req);
        const { max } = compare(gpuOut, cpuOut);
        expect(max).toBeGreaterThan(1);
        expectClose(gpuOut, cpuOut, `${label}, order ${order}`);
        // Nearest neighbour reads stored integers below 2^24 with weight 0: exact.
        if (order === 0 && from.maxStoredValue < 2 ** 24) expectIdentical(gpuOut, cpuOut, `${label}, order 0`);
      }
    }
  });

  it('agrees on seeded random grids in all orientations, orders and modes (1e-6 of the max)', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed += 1) {
      const c = randomCase(seed);
      seen.add(`${c.source.orientation}/${c.target.orientation}`);
      const req = request(c.target, c.source, c.values, c.order, c.mode, c.gain, c.outsideValue);
      const random = mulberry32(seed * 7919);
      const initial = Float64Array.from({ length: voxelCount(c.target) }, () => random() * 5);
      const { gpuOut, cpuOut } = await both(req, initial);
      expectClose(gpuOut, cpuOut, `seed ${seed} (${c.source.orientation} ${c.source.columns}x${c.source.rows}x${c.source.frames} -> ${c.target.orientation} ${c.target.columns}x${c.target.rows}x${c.target.frames}, order ${c.order}, ${c.mode}, ${c.values.constructor.name})`);
    }
    expect(seen.size).toBeGreaterThan(20);
  });

  it('gives the stored values back exactly when target and source are the same grid', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const random = mulberry32(99);
    for (const orientation of ALL_ORIENTATIONS) {
      const g = geometry({ orientation, columns: 23, rows: 17, frameOffsetsMm: [0, 2.5, 5, 9, 10], pixelSpacingMm: [2.5, 1.5], centreMm: [3, -7, 11] });
      const values = Uint32Array.from({ length: voxelCount(g) }, () => Math.floor(random() * 2 ** 24));
      for (const order of [1, 0] as const) {
        const out = new Float64Array(voxelCount(g));
        await gpu.resample(request(g, g, values, order, 'constant'), out);
        expect(out).toEqual(Float64Array.from(values));
      }
    }
    const { substitute } = await examples();
    const req = request(substitute.geometry, substitute.geometry, substitute.pixels, 1, 'constant', substitute.gyPerStoredUnit);
    const { gpuOut, cpuOut } = await both(req);
    expectIdentical(gpuOut, cpuOut, 'the substitute example onto itself');
    const raw = new Float64Array(voxelCount(substitute.geometry));
    await gpu.resample({ ...req, gain: 1 }, raw);
    expectIdentical(raw, Float64Array.from(substitute.pixels), 'the substitute example onto itself, gain 1');
  });

  it('gives the same result in many z-slabs as in one', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const acquired = device;
    const source = geometry({ orientation: 'HFS', columns: 21, rows: 19, frameOffsetsMm: [0, 2, 4, 5, 6, 8, 11, 12, 14, 17, 20, 21], pixelSpacingMm: [2, 2.5], centreMm: [0, 0, 0] });
    const random = mulberry32(5);
    const values = Uint16Array.from({ length: voxelCount(source) }, () => Math.floor(random() * 65536));
    for (const orientation of ['FFP', 'HFDR'] as const) {
      const target = geometry({ orientation, columns: 25, rows: 22, frameOffsetsMm: Array.from({ length: 15 }, (_, k) => k * 1.7), pixelSpacingMm: [1.9, 2.1], centreMm: [0.3, -0.4, 0.2] });
      const req = request(target, source, values, 1, 'constant', 0.25, 1.5);
      const one = new Float64Array(voxelCount(target));
      await runTrilinearResample(acquired, req, one);
      const planeBytes = target.columns * target.rows * 4;
      for (const maxSlabBytes of [1, planeBytes * 2, planeBytes * 3 + 4]) {
        const limit = acquired.maxStorageBufferBindingSize;
        expect(planResampleSlabs(req, maxSlabBytes, limit).length).toBeGreaterThan(maxSlabBytes === 1 ? target.frames - 1 : 3);
        const sliced = new Float64Array(voxelCount(target));
        await runTrilinearResample(acquired, req, sliced, undefined, { maxSlabBytes });
        expect(sliced).toEqual(one);
      }
      const cpuOut = new Float64Array(voxelCount(target));
      trilinearResample(req, cpuOut);
      expectClose(one, cpuOut, `slabs onto ${orientation}`);
    }
  });

  it('adds the outside value exactly where the CPU adds it', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const source = geometry({ orientation: 'HFS', columns: 12, rows: 10, frameOffsetsMm: [0, 3, 6, 9], pixelSpacingMm: [3, 3], centreMm: [0, 0, 0] });
    const target = geometry({ orientation: 'FFDL', columns: 20, rows: 18, frameOffsetsMm: Array.from({ length: 9 }, (_, k) => k * 2), pixelSpacingMm: [2, 2], centreMm: [5, -4, 3] });
    const random = mulberry32(17);
    const values = Uint32Array.from({ length: voxelCount(source) }, () => Math.floor(random() * 1e6));
    const req = request(target, source, values, 1, 'constant', 1e-4, 0.37);
    const initial = Float64Array.from({ length: voxelCount(target) }, () => random() * 3);
    const { gpuOut, cpuOut } = await both(req, initial);
    const mask = outsideMask(req);
    let outside = 0;
    for (let i = 0; i < mask.length; i += 1) {
      if (!mask[i]) continue;
      outside += 1;
      expect(gpuOut[i]).toBe(cpuOut[i]);
      expect(gpuOut[i]).toBe(initial[i] + 0.37);
    }
    expect(outside).toBeGreaterThan(0);
    expect(outside).toBeLessThan(mask.length);
    expectClose(gpuOut, cpuOut, 'outside value');
    // A target entirely outside the source never reaches the GPU and adds the value everywhere.
    const far = geometry({ orientation: 'HFS', columns: 5, rows: 4, frameOffsetsMm: [0, 1], pixelSpacingMm: [1, 1], centreMm: [500, 0, 0] });
    const farOut = new Float64Array(voxelCount(far));
    await gpu.resample(request(far, source, values, 1, 'constant', 1, 2.5), farOut);
    expect(farOut).toEqual(new Float64Array(voxelCount(far)).fill(2.5));
  });

  it('reads every stored value type and plain arrays', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const source = geometry({ orientation: 'HFP', columns: 9, rows: 8, frameOffsetsMm: [0, 2, 4], pixelSpacingMm: [2, 2], centreMm: [0, 0, 0] });
    const target = geometry({ orientation: 'HFS', columns: 11, rows: 7, frameOffsetsMm: [0, 1.3, 2.6, 3.9], pixelSpacingMm: [1.7, 1.6], centreMm: [0.4, 0.2, -0.3] });
    const random = mulberry32(3);
    const base = Array.from({ length: voxelCount(source) }, () => random() * 30000 - 15000);
    const sources: ResampleSource[] = [
      Uint16Array.from(base, (v) => Math.abs(Math.round(v))),
      Int16Array.from(base, Math.round),
      Uint32Array.from(base, (v) => Math.abs(Math.round(v)) * 1000),
      Int32Array.from(base, Math.round),
      Float32Array.from(base),
      Float64Array.from(base),
      base,
    ];
    for (const values of sources) {
      const { gpuOut, cpuOut } = await both(request(target, source, values, 1, 'nearest', 0.01));
      expectClose(gpuOut, cpuOut, values.constructor.name);
    }
  });

  it('refuses a frame too large for the device, naming the limit and the CPU backend', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const g = geometry({ orientation: 'HFS', columns: 64, rows: 64, frameOffsetsMm: [0, 1], pixelSpacingMm: [1, 1], centreMm: [0, 0, 0] });
    const req = request(g, g, new Uint16Array(voxelCount(g)), 1, 'constant');
    const small: AcquiredDevice = { ...device, maxStorageBufferBindingSize: 4096 };
    const into = new Float64Array(voxelCount(g));
    const error = await runTrilinearResample(small, req, into).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_TOO_LARGE', details: { bytes: 64 * 64 * 4, limit: 4096 } });
    expect((error as Error).message).toMatch(/16384-byte.*4096 bytes.*backend 'cpu'/);
  });

  it('honours an abort signal between slabs and leaves the target untouched', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const g = geometry({ orientation: 'HFS', columns: 8, rows: 8, frameOffsetsMm: [0, 1, 2, 3, 4, 5], pixelSpacingMm: [1, 1], centreMm: [0, 0, 0] });
    const shifted = geometry({ orientation: 'HFS', columns: 8, rows: 8, frameOffsetsMm: [0, 1, 2, 3, 4, 5], pixelSpacingMm: [1, 1], centreMm: [0.5, 0.25, 0.5] });
    const req = request(shifted, g, Uint16Array.from({ length: voxelCount(g) }, (_, i) => i), 1, 'constant', 1, 7);
    const into = new Float64Array(voxelCount(g)).fill(1);
    const aborted = new AbortController();
    aborted.abort();
    await expect(gpu.resample(req, into, aborted.signal)).rejects.toMatchObject({ name: 'AbortError' });
    const later = new AbortController();
    const running = runTrilinearResample(device, req, into, later.signal, { maxSlabBytes: 1 });
    later.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(into).toEqual(new Float64Array(voxelCount(g)).fill(1));
  });

  it('reports a lost device as E_GPU_LOST', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const extra = await acquireDevice([], { allowOpenGles: false });
    if (!extra) return skipWithoutDevice(ctx, 'no second, core (non-OpenGL ES) WebGPU adapter for the lost-device test');
    const backend = createWebGpuBackend(extra);
    extra.device.destroy();
    await extra.device.lost;
    await Promise.resolve();
    const g = geometry({ orientation: 'HFS', columns: 4, rows: 4, frameOffsetsMm: [0, 1], pixelSpacingMm: [1, 1], centreMm: [0, 0, 0] });
    const req = request(g, g, new Uint16Array(voxelCount(g)), 1, 'constant');
    await expect(backend.resample(req, new Float64Array(voxelCount(g)))).rejects.toMatchObject({ code: 'E_GPU_LOST' });
    // The kernel's own check, past the backend's.
    const into = new Float64Array(voxelCount(g));
    await expect(runTrilinearResample(extra, req, into)).rejects.toMatchObject({ code: 'E_GPU_LOST' });
    expect(into).toEqual(new Float64Array(voxelCount(g)));
  });
});
