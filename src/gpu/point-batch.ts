// SPDX-License-Identifier: BSD-3-Clause
// Voxel-centre jobs (the dicompyler algorithm) on the GPU: bins precomputed in float64 on the CPU,
// integer counts on the GPU, identical to the CPU fallback.
import type { HistogramRequest, PlaneHistogramJob } from '../backend/compute-backend.js';
import { binPlane } from './bin-plane.js';
import { concatParts, crossingRows } from './crossing-rows.js';
import type { AcquiredDevice } from './device.js';
import { runTwoPass } from './two-pass.js';

/** True when the point kernel handles this job (voxel-centre samples, precomputed bins). */
export function isPointJob(job: PlaneHistogramJob): boolean {
  return job.plane.factorX === 1 && job.plane.factorY === 1 && !job.plane.spread;
}

/** Counts per target and bin, and samples counted per layer (in job and layer order). */
export async function runPointBatch(acquired: AcquiredDevice, request: HistogramRequest, jobs: readonly PlaneHistogramJob[]): Promise<{ counts: Uint32Array; counted: Uint32Array }> {
  const planeOffsets = new Map<ArrayLike<number>, number>();
  const binParts: Uint32Array[] = [];
  let binLength = 0;
  const planeOffset = (values: ArrayLike<number>) => {
    let offset = planeOffsets.get(values);
    if (offset === undefined) {
      offset = binLength;
      planeOffsets.set(values, offset);
      const part = binPlane(values, request.binning);
      binParts.push(part);
      binLength += part.length;
    }
    return offset;
  };
  // Per row: (first mask word, width, voxel of the first sample, voxel stride), (target, layer, 0, 0).
  const table: number[] = [];
  const crossings = crossingRows(jobs, (job, _jobIndex, target, layer, c, r, firstWord) => {
    const { columns, transposed } = job.plane;
    const j = c.rowStart + r;
    const base = planeOffset(job.plane.values) + (transposed ? c.colStart * columns + j : j * columns + c.colStart);
    table.push(firstWord, c.colEnd - c.colStart, base, transposed ? columns : 1, target, layer, 0, 0);
  });
  const countsLength = request.targetCount * request.binning.binCount;
  if (crossings.rowCount === 0) return { counts: new Uint32Array(countsLength), counted: new Uint32Array(crossings.layerCount) };
  const bins = concatParts(binParts, (n) => new Uint32Array(n));
  const results = await runTwoPass(acquired, crossings, {
    variant: 'point',
    params: [request.binning.binCount, countsLength],
    rowTable: Uint32Array.from(table),
    inputs: [bins.length ? bins : new Uint32Array(1)],
    results: new Uint32Array(countsLength + crossings.layerCount),
  });
  return { counts: results.slice(0, countsLength), counted: results.slice(countsLength) };
}
