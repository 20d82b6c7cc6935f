// SPDX-License-Identifier: BSD-3-Clause
// Voxel-centre jobs (the dicompyler algorithm) on the GPU: bins precomputed in float64 on the CPU,
// integer counts on the GPU, identical to the CPU fallback.
import type { PlaneHistogramJob } from '../backend/compute-backend.js';
import { type DoseBinning, fedTargets } from '../kernels/dose-histogram.js';
import { binPlane } from './bin-plane.js';
import { NO_TARGET, concatParts, crossingRows } from './crossing-rows.js';
import type { AcquiredDevice } from './device.js';
import { runTwoPass } from './two-pass.js';

/** True when the point kernel handles this job (voxel-centre samples, precomputed bins). */
export function isPointJob(job: PlaneHistogramJob): boolean {
  return job.plane.factorX === 1 && job.plane.factorY === 1 && !job.plane.spread;
}

/** A point batch's results: counts per fed target (in `targets` order) and bin, samples counted per layer (in job and layer order). */
export interface PointBatchResult {
  /** The request's target index of each slot of `counts`. */
  readonly targets: readonly number[];
  readonly counts: Uint32Array;
  readonly counted: Uint32Array;
}

/** The buffers of a point batch that do not depend on the contours: the binned planes and the results, bytes. */
export function pointBatchBytes(binning: DoseBinning, jobs: readonly PlaneHistogramJob[]): { planes: number; results: number } {
  const planes = new Set<ArrayLike<number>>();
  let planeBytes = 0;
  let layers = 0;
  for (const job of jobs) {
    if (!planes.has(job.plane.values)) {
      planes.add(job.plane.values);
      planeBytes += job.plane.values.length * 4;
    }
    layers += job.layers.length;
  }
  return { planes: planeBytes, results: (fedTargets(jobs).size * binning.binCount + layers) * 4 };
}

/**
 * Runs voxel-centre jobs: counts per target and bin, samples counted per layer. Only the targets
 * the jobs feed have counts on the GPU, so the results buffer grows with them, not with the request.
 */
export async function runPointBatch(acquired: AcquiredDevice, binning: DoseBinning, jobs: readonly PlaneHistogramJob[]): Promise<PointBatchResult> {
  const targets = [...fedTargets(jobs)];
  const slots = new Map(targets.map((t, slot) => [t, slot]));
  const planeOffsets = new Map<ArrayLike<number>, number>();
  const binParts: Uint32Array[] = [];
  let binLength = 0;
  const planeOffset = (values: ArrayLike<number>) => {
    let offset = planeOffsets.get(values);
    if (offset === undefined) {
      offset = binLength;
      planeOffsets.set(values, offset);
      const part = binPlane(values, binning);
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
    table.push(firstWord, c.colEnd - c.colStart, base, transposed ? columns : 1, target === NO_TARGET ? NO_TARGET : slots.get(target)!, layer, 0, 0);
  });
  const countsLength = targets.length * binning.binCount;
  if (crossings.rowCount === 0) return { targets, counts: new Uint32Array(countsLength), counted: new Uint32Array(crossings.layerCount) };
  const bins = concatParts(binParts, (n) => new Uint32Array(n));
  const results = await runTwoPass(acquired, crossings, {
    variant: 'point',
    params: [binning.binCount, countsLength],
    rowTable: Uint32Array.from(table),
    inputs: [bins.length ? bins : new Uint32Array(1)],
    results: new Uint32Array(countsLength + crossings.layerCount),
  });
  return { targets, counts: results.subarray(0, countsLength), counted: results.subarray(countsLength) };
}
