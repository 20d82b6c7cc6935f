// SPDX-License-Identifier: BSD-3-Clause
import { doseHistogram } from '../../fallback/dose-histogram.js';
import { polygonMask } from '../../fallback/polygon-mask.js';
import type { ComputeBackend, PlaneHistogramJob, PlaneHistogramResult } from './compute-backend.js';
import { throwIfAborted } from './abort.js';

/** The CPU fallback: typed arrays, one thread. The reference every other backend must match. */
export function createCpuBackend(): ComputeBackend {
  return {
    info: Object.freeze({ kind: 'cpu' as const }),
    async histogramPlanes(jobs: readonly PlaneHistogramJob[], signal?: AbortSignal): Promise<PlaneHistogramResult[]> {
      const results: PlaneHistogramResult[] = [];
      for (const job of jobs) {
        throwIfAborted(signal);
        const counts: Float64Array[] = [];
        const counted: number[] = [];
        for (const layer of job.layers) {
          const histogram = new Float64Array(job.binning.binCount);
          const mask = polygonMask(job.lattice, layer);
          counted.push(mask.count === 0 ? 0 : doseHistogram(job.plane, mask, job.binning, histogram));
          counts.push(histogram);
        }
        results.push({ counts, counted });
      }
      return results;
    },
    dispose() {},
  };
}
