// SPDX-License-Identifier: BSD-3-Clause
// Derived ROIs on WebGPU against the CPU fallback: a derived layer reaches every backend as rings
// selecting exactly its samples, so the dicompyler algorithm's DVHs are identical and the
// precise algorithm's agree within the GPU's float32 dose tolerance, with identical volumes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputeBackend } from '../../src/backend/compute-backend.js';
import { calculateDvhs } from '../../src/dvh/calculate.js';
import type { RoiExpressionRequest } from '../../src/dvh/roi-algebra.js';
import type { AcquiredDevice } from '../../src/gpu/device.js';
import { createWebGpuBackend } from '../../src/gpu/webgpu-backend.js';
import { exampleParser } from '../helpers/examples.js';
import { skipWithoutDevice, testDevice } from '../helpers/webgpu.js';

let device: AcquiredDevice | null = null;
let gpu: ComputeBackend;

beforeAll(async () => {
  device = await testDevice();
  if (device) gpu = createWebGpuBackend(device);
}, 120_000);
afterAll(() => gpu?.dispose());

const rois: RoiExpressionRequest[] = [
  { name: 'Lungs and heart', expression: 'Heart | "Lt Lung"' },
  { name: 'Overlap', expression: 'Breast & Nodes' },
  { name: 'Boost ring', expression: 'expand("Tumor Bed", 5) - "Tumor Bed"' },
  { name: 'Breast core', expression: 'shrink(Breast, [5, 5, 3]) - expand(Scar, 2)' },
];

describe('structure algebra on WebGPU: parity with the CPU', () => {
  it('dicompyler algorithm: identical DVHs', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const ss = exampleParser('rtss.dcm').toStructureSet();
    const dose = exampleParser('rtdose_substitute.dcm').toDoseGrid();
    const [a, b] = await Promise.all([calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: gpu, rois }), calculateDvhs(ss, dose, { algorithm: 'dicompyler', backend: 'cpu', rois })]);
    expect(a.backend.kind).toBe('webgpu');
    expect(a.errors).toEqual([]);
    expect(a.dvhs.map((d) => d.name)).toEqual(rois.map((r) => r.name));
    a.dvhs.forEach((d, i) => {
      expect(Array.from(d.dvh.counts)).toEqual(Array.from(b.dvhs[i].dvh.counts));
      expect(Array.from(d.dvh.bins)).toEqual(Array.from(b.dvhs[i].dvh.bins));
    });
  }, 300_000);

  it('precise algorithm: the same volumes, and within the float32 tolerance along the curve', async (ctx) => {
    if (!device) return skipWithoutDevice(ctx);
    const ss = exampleParser('rtss.dcm').toStructureSet();
    const dose = exampleParser('rtdose_substitute.dcm').toDoseGrid();
    const [a, b] = await Promise.all([calculateDvhs(ss, dose, { algorithm: 'precise', backend: gpu, rois }), calculateDvhs(ss, dose, { algorithm: 'precise', backend: 'cpu', rois })]);
    expect(a.errors).toEqual([]);
    let worst = 0;
    a.dvhs.forEach((d, i) => {
      const c = b.dvhs[i].dvh;
      // A derived ROI's volume is its sample count, made on the CPU either way.
      expect(d.dvh.volume).toBeCloseTo(c.volume, 9);
      const n = Math.max(d.dvh.counts.length, c.counts.length);
      for (let k = 0; k < n; k += 1) worst = Math.max(worst, Math.abs((d.dvh.counts[k] ?? 0) - (c.counts[k] ?? 0)) / c.volume);
      expect(Math.abs(d.dvh.mean - c.mean) / c.mean).toBeLessThan(1e-6);
      for (const statistic of ['D98', 'D50', 'D2']) expect(Math.abs(d.dvh.statistic(statistic).value - c.statistic(statistic).value)).toBeLessThanOrEqual(5e-5);
    });
    expect(worst).toBeLessThan(1e-5);
  }, 300_000);
});
