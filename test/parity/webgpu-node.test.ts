// SPDX-License-Identifier: BSD-3-Clause
// The WebGPU backend against the CPU fallback in Node (Dawn), on seeded random inputs and on the
// example: the integer histograms and sample counts must be identical.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputeBackend, HistogramRequest, PlaneHistogramJob } from '../../src/backend/compute-backend.js';
import { createCpuBackend } from '../../src/backend/cpu-backend.js';
import { calculateDvhs } from '../../src/dvh/calculate.js';
import { DoseGrid } from '../../src/model/dose-grid.js';
import type { AcquiredDevice } from '../../src/gpu/device.js';
import { createWebGpuBackend } from '../../src/gpu/webgpu-backend.js';
import { exampleParser } from '../helpers/examples.js';
import { mulberry32 } from '../helpers/point-in-path.js';
import { skipWithoutDevice, testDevice } from '../helpers/webgpu.js';

let device: AcquiredDevice | null = null;
let gpu: ComputeBackend;
const cpu = createCpuBackend();

beforeAll(async () => {
  device = await testDevice();
  if (device) gpu = createWebGpuBackend(device);
}, 120_000);
afterAll(() => gpu?.dispose());

function lattice(n: number, start: number, step: number): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => start + k * step);
}

function randomRequest(seed: number, options: { layers?: number; maxPoints?: number; size?: number } = {}): HistogramRequest {
  const random = mulberry32(seed);
  const nx = 1 + Math.floor(random() * (options.size ?? 60));
  const ny = 1 + Math.floor(random() * (options.size ?? 60));
  const sx = (random() < 0.3 ? -1 : 1) * (0.5 + random() * 2);
  const sy = (random() < 0.3 ? -1 : 1) * (0.5 + random() * 2);
  const xs = lattice(nx, random() * 10, sx);
  const ys = lattice(ny, random() * 10, sy);
  const transposed = random() < 0.3;
  const rows = transposed ? nx : ny;
  const columns = transposed ? ny : nx;
  const binCount = 50 + Math.floor(random() * 200);
  const values = Float64Array.from({ length: rows * columns }, () => Math.floor(random() * binCount * 1.1));
  const targetCount = 1 + Math.floor(random() * 5);
  const jobs: PlaneHistogramJob[] = [];
  const planes = 1 + Math.floor(random() * 3);
  for (let p = 0; p < planes; p += 1) {
    const layers = [];
    for (let l = 0; l < (options.layers ?? 1 + Math.floor(random() * 4)); l += 1) {
      const rings: Float64Array[] = [];
      for (let r = 0; r < 1 + Math.floor(random() * 3); r += 1) {
        const points = 3 + Math.floor(random() * (options.maxPoints ?? 40));
        const ring = new Float64Array(points * 2);
        const snap = random() < 0.3;
        for (let k = 0; k < points; k += 1) {
          ring[k * 2] = snap ? xs[Math.floor(random() * nx)] : xs[0] + (random() * 1.4 - 0.2) * sx * nx;
          ring[k * 2 + 1] = snap ? ys[Math.floor(random() * ny)] : ys[0] + (random() * 1.4 - 0.2) * sy * ny;
        }
        rings.push(ring);
      }
      layers.push({ rings, target: random() < 0.1 ? -1 : Math.floor(random() * targetCount) });
    }
    jobs.push({ lattice: { xs, ys }, plane: { values, rows, columns, transposed, factorX: 1, factorY: 1 }, layers });
  }
  return { binning: { doseGridScaling: 1, unitsToCGy: 1, binWidthCGy: 1, binCount }, targetCount, jobs };
}

async function expectIdentical(request: HistogramRequest, backend: ComputeBackend = gpu): Promise<void> {
  const [a, b] = await Promise.all([backend.histogram(request), cpu.histogram(request)]);
  expect(a.counted).toEqual(b.counted);
  a.targets.forEach((t, i) => expect(Array.from(t.counts)).toEqual(Array.from(b.targets[i].counts)));
}

describe('WebGPU backend in Node: parity with the CPU', () => {
  it('names its adapter', (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    expect(gpu.info.kind).toBe('webgpu');
    expect(gpu.info.adapter).toMatch(/\w{3,}/);
  });

  it('seeded random polygons, lattices (increasing and decreasing), transposed planes, several targets', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    for (let seed = 1; seed <= 40; seed += 1) await expectIdentical(randomRequest(seed));
  }, 120_000);

  it('edge sizes: one voxel, one row, sizes off the workgroup size, empty masks, 64 ROIs', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const oneVoxel: HistogramRequest = {
      binning: { doseGridScaling: 1, unitsToCGy: 1, binWidthCGy: 1, binCount: 10 },
      targetCount: 1,
      jobs: [{ lattice: { xs: Float64Array.of(0), ys: Float64Array.of(0) }, plane: { values: Float64Array.of(3), rows: 1, columns: 1, transposed: false, factorX: 1, factorY: 1 }, layers: [{ rings: [Float64Array.of(-1, -1, 1, -1, 1, 1, -1, 1)], target: 0 }] }],
    };
    await expectIdentical(oneVoxel);
    const empty = randomRequest(7);
    await expectIdentical({ ...empty, jobs: empty.jobs.map((j) => ({ ...j, layers: [{ rings: [Float64Array.of(1e6, 1e6, 1e6 + 1, 1e6, 1e6, 1e6 + 1)], target: 0 }] })) });
    await expectIdentical(randomRequest(99, { layers: 64, size: 70 }));
  }, 120_000);

  it('a 20 000-point contour', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const request = randomRequest(5, { layers: 1, size: 200 });
    const n = 20_000;
    const ring = new Float64Array(n * 2);
    const { xs, ys } = request.jobs[0].lattice;
    const cx = (xs[0] + xs[xs.length - 1]) / 2;
    const cy = (ys[0] + ys[ys.length - 1]) / 2;
    const r = Math.abs(xs[xs.length - 1] - xs[0]) / 3 + 1;
    for (let k = 0; k < n; k += 1) {
      const t = (2 * Math.PI * k) / n;
      const wobble = 1 + 0.2 * Math.sin(37 * t);
      ring[k * 2] = cx + r * wobble * Math.cos(t);
      ring[k * 2 + 1] = cy + r * wobble * Math.sin(t);
    }
    await expectIdentical({ ...request, jobs: [{ ...request.jobs[0], layers: [{ rings: [ring], target: 0 }] }] });
  }, 120_000);

  it('folds dispatches past the workgroup limit per dimension (limit lowered to 3 to exercise it)', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const folded = createWebGpuBackend({ ...device!, owned: false, maxWorkgroupsPerDimension: 3 });
    await expectIdentical(randomRequest(11, { layers: 20, size: 80 }), folded);
  }, 120_000);

  it('the example, every ROI, dicompyler algorithm: identical DVHs with the webgpu and cpu backends', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const ss = exampleParser('rtss.dcm').toStructureSet();
    const dose = exampleParser('rtdose_substitute.dcm').toDoseGrid();
    const [a, b] = await Promise.all([calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: gpu }), calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: 'cpu' })]);
    expect(a.backend.kind).toBe('webgpu');
    expect(a.dvhs.length).toBe(b.dvhs.length);
    a.dvhs.forEach((d, i) => {
      expect(Array.from(d.dvh.counts)).toEqual(Array.from(b.dvhs[i].dvh.counts));
      expect(Array.from(d.dvh.bins)).toEqual(Array.from(b.dvhs[i].dvh.bins));
    });
  }, 300_000);

  it('the example, every ROI, precise algorithm: GPU (float32) within 1e-6 in Dmean, 0.005 cGy in Dx and 1e-5 of the volume along the curve of the CPU (float64)', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const ss = exampleParser('rtss.dcm').toStructureSet();
    const dose = exampleParser('rtdose_substitute.dcm').toDoseGrid();
    const [a, b] = await Promise.all([calculateDvhs(ss, dose, { algorithm: 'precise', backend: gpu }), calculateDvhs(ss, dose, { algorithm: 'precise', backend: 'cpu' })]);
    expect(a.dvhs.length).toBe(9);
    let worst = 0;
    let worstRoi = '';
    a.dvhs.forEach((d, i) => {
      const c = b.dvhs[i].dvh;
      // The volume is the prism model's, computed on the CPU either way.
      expect(d.dvh.volume).toBeCloseTo(c.volume, 9);
      const n = Math.max(d.dvh.counts.length, c.counts.length);
      for (let k = 0; k < n; k += 1) {
        const difference = Math.abs((d.dvh.counts[k] ?? 0) - (c.counts[k] ?? 0)) / c.volume;
        if (difference > worst) {
          worst = difference;
          worstRoi = `${d.name} at ${(k / 1000).toFixed(3)} Gy`;
        }
      }
      expect(Math.abs(d.dvh.mean - c.mean) / c.mean).toBeLessThan(1e-6);
      for (const statistic of ['D98', 'D95', 'D50', 'D2']) {
        const x = d.dvh.statistic(statistic).value;
        const y = c.statistic(statistic).value;
        expect(Math.abs(x - y)).toBeLessThanOrEqual(5e-5);
      }
      expect(Math.abs(d.dvh.max - c.max)).toBeLessThan(1e-4);
    });
    console.log(`precise algorithm, GPU vs CPU: largest cumulative difference ${worst.toExponential(2)} of the volume (${worstRoi})`);
    // float32 dose on the GPU: a sample now and then falls on the other side of a 0.1 cGy bin edge.
    expect(worst).toBeLessThan(1e-5);
  }, 300_000);
});

describe('WebGPU backend in Node: coarsened bins (a maximum dose past MAX_HISTOGRAM_BINS bins)', () => {
  // The example's dose x 300 (4 404 Gy, as next to a brachytherapy source): 5 cGy bins under both algorithms.
  const scaled = () => {
    const dose = exampleParser('rtdose_substitute.dcm').toDoseGrid();
    return new DoseGrid(dose.geometry, dose.pixels, dose.doseGridScaling * 300, dose.info);
  };

  it('dicompyler algorithm: identical DVHs (and bins) with the webgpu and cpu backends', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const ss = exampleParser('rtss.dcm').toStructureSet();
    const dose = scaled();
    const [a, b] = await Promise.all([calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: gpu }), calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: 'cpu' })]);
    expect(a.backend.kind).toBe('webgpu');
    expect(a.dvhs.length).toBe(b.dvhs.length);
    a.dvhs.forEach((d, i) => {
      expect(d.dvh.bins[1] - d.dvh.bins[0]).toBeCloseTo(0.05, 12);
      expect(Array.from(d.dvh.counts)).toEqual(Array.from(b.dvhs[i].dvh.counts));
      expect(Array.from(d.dvh.bins)).toEqual(Array.from(b.dvhs[i].dvh.bins));
      expect(d.dvh.computedBy?.warnings).toEqual(b.dvhs[i].dvh.computedBy?.warnings);
    });
  }, 300_000);

  it('precise algorithm: the same bins, and the GPU (float32) within 1e-6 in Dmean and a tenth of a bin in Dx of the CPU (float64)', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const ss = exampleParser('rtss.dcm').toStructureSet();
    const dose = scaled();
    const [a, b] = await Promise.all([calculateDvhs(ss, dose, { algorithm: 'precise', backend: gpu }), calculateDvhs(ss, dose, { algorithm: 'precise', backend: 'cpu' })]);
    expect(a.dvhs.length).toBe(b.dvhs.length);
    a.dvhs.forEach((d, i) => {
      const c = b.dvhs[i].dvh;
      expect(d.dvh.bins[1] - d.dvh.bins[0]).toBeCloseTo(0.05, 12);
      expect(c.bins[1] - c.bins[0]).toBeCloseTo(0.05, 12);
      expect(d.dvh.volume).toBeCloseTo(c.volume, 9);
      expect(Math.abs(d.dvh.mean - c.mean) / c.mean).toBeLessThan(1e-6);
      for (const statistic of ['D98', 'D95', 'D50', 'D2']) expect(Math.abs(d.dvh.statistic(statistic).value - c.statistic(statistic).value)).toBeLessThanOrEqual(0.005);
    });
  }, 300_000);
});

describe('WebGPU device loss', () => {
  it('a lost device makes the backend fail with E_GPU_LOST (never a wrong number)', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const { acquireDevice } = await import('../../src/gpu/device.js');
    const fresh = await acquireDevice([]);
    expect(fresh).not.toBeNull();
    const backend = createWebGpuBackend(fresh!);
    fresh!.device.destroy();
    await fresh!.device.lost;
    await new Promise((resolve) => setTimeout(resolve, 0));
    await expect(backend.histogram(randomRequest(3))).rejects.toMatchObject({ code: 'E_GPU_LOST' });
  }, 120_000);
});
