// SPDX-License-Identifier: BSD-3-Clause
// GPU loss: a device destroyed while a DVH calculation or a dose sum runs. 'auto' finishes the job
// on the CPU and says so in the result; an explicit 'webgpu' fails with E_GPU_LOST; the next
// request for a device gets a new one. Real WebGPU (SwiftShader in CI; REQUIRE_WEBGPU=1 makes a
// missing adapter a failure).
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/backend/create-backend.js';
import { sumDoseGrids } from '../../src/dose/sum.js';
import { calculateDvhs } from '../../src/dvh/calculate.js';
import { acquireDevice } from '../../src/gpu/device.js';
import { DoseGrid } from '../../src/model/dose-grid.js';
import { examplePath } from '../helpers/examples.js';
import { testDevice } from '../helpers/webgpu.js';

const rtss = examplePath('rtss.dcm');
const rtdose = examplePath('rtdose_substitute.dcm');
const ROIS = [4, 5, 8, 9];

async function freshDevice(): Promise<GPUDevice> {
  const acquired = await acquireDevice([]);
  if (!acquired) throw new Error('no WebGPU device');
  return acquired.device;
}

describe('losing the GPU mid-job', async () => {
  const available = (await testDevice()) !== null;
  const note = available ? '' : ' (skipped: no WebGPU adapter; REQUIRE_WEBGPU=1 makes this a failure)';

  it.skipIf(!available)("'auto' on a caller's device finishes a DVH calculation on the CPU, with a warning, and the same numbers" + note, async () => {
    const device = await freshDevice();
    let destroyed = false;
    const result = await calculateDvhs(rtss, rtdose, {
      algorithm: 'dicompyler',
      rois: ROIS,
      device,
      onProgress: () => {
        if (!destroyed) {
          destroyed = true;
          device.destroy();
        }
      },
    });
    expect(destroyed).toBe(true);
    expect(result.backend.kind).toBe('cpu');
    const cpu = await calculateDvhs(rtss, rtdose, { algorithm: 'dicompyler', rois: ROIS, backend: 'cpu' });
    result.dvhs.forEach((d, i) => {
      expect(d.dvh.computedBy?.warnings?.join(' ')).toMatch(/WebGPU device failed.*CPU/);
      expect(Array.from(d.dvh.counts)).toEqual(Array.from(cpu.dvhs[i].dvh.counts));
    });
  }, 60_000);

  it.skipIf(!available)("an explicit 'webgpu' fails with E_GPU_LOST" + note, async () => {
    const device = await freshDevice();
    let destroyed = false;
    const run = calculateDvhs(rtss, rtdose, {
      algorithm: 'dicompyler',
      rois: ROIS,
      backend: 'webgpu',
      device,
      onProgress: () => {
        if (!destroyed) {
          destroyed = true;
          device.destroy();
        }
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'E_GPU_LOST' });
  }, 60_000);

  it.skipIf(!available)("a dose sum on a lost device: 'auto' resamples on the CPU with a warning, 'webgpu' fails with E_GPU_LOST" + note, async () => {
    const base = await DoseGrid.fromFile(rtdose);
    const shifted = await DoseGrid.fromFile(examplePath('rtdose_shifted.dcm'));
    const lost = await freshDevice();
    lost.destroy();
    await lost.lost;
    const sum = await sumDoseGrids([base, shifted], { device: lost });
    expect(sum.info.derivation?.backend.kind).toBe('cpu');
    expect(sum.info.derivation?.warnings.join(' ')).toMatch(/WebGPU device failed/);
    const cpu = await sumDoseGrids([base, shifted], { backend: 'cpu' });
    expect(sum.maxDoseGy).toBe(cpu.maxDoseGy);
    await expect(sumDoseGrids([base, shifted], { device: lost, backend: 'webgpu' })).rejects.toMatchObject({ code: 'E_GPU_LOST' });
  }, 60_000);

  it.skipIf(!available)('after the shared device is lost, the next backend gets a new device that works' + note, async () => {
    const first = await createBackend({ backend: 'webgpu' });
    const device = first.device!;
    device.destroy();
    await device.lost;
    await new Promise((resolve) => setTimeout(resolve, 0));
    const second = await createBackend({ backend: 'webgpu' });
    expect(second.device).toBeDefined();
    expect(second.device).not.toBe(device);
    const result = await calculateDvhs(rtss, rtdose, { algorithm: 'dicompyler', rois: [8], backend: second });
    const cpu = await calculateDvhs(rtss, rtdose, { algorithm: 'dicompyler', rois: [8], backend: 'cpu' });
    expect(result.backend.kind).toBe('webgpu');
    expect(Array.from(result.dvhs[0].dvh.counts)).toEqual(Array.from(cpu.dvhs[0].dvh.counts));
  }, 60_000);
});
