// SPDX-License-Identifier: BSD-3-Clause
import { doseHistogram } from '../../fallback/dose-histogram.js';
import { polygonMask } from '../../fallback/polygon-mask.js';
import { trilinearResample } from '../../fallback/trilinear-resample.js';
import { emptyTarget } from '../kernels/dose-histogram.js';
import { type ResampleRequest, validateResampleRequest } from '../kernels/trilinear-resample.js';
import { throwIfAborted } from './abort.js';
import type { ComputeBackend, HistogramRequest, HistogramResponse } from './compute-backend.js';

/** The CPU fallback: typed arrays, one thread. The reference every other backend must match. */
export function createCpuBackend(): ComputeBackend {
  return {
    info: Object.freeze({ kind: 'cpu' as const }),
    async histogram(request: HistogramRequest, signal?: AbortSignal): Promise<HistogramResponse> {
      const targets = Array.from({ length: request.targetCount }, () => emptyTarget(request.binning.binCount));
      const counted: number[][] = [];
      for (const job of request.jobs) {
        throwIfAborted(signal);
        counted.push(
          job.layers.map((layer) => {
            const mask = polygonMask(job.lattice, { rings: layer.rings });
            return mask.count === 0 ? 0 : doseHistogram(job.plane, mask, request.binning, layer.target >= 0 ? targets[layer.target] : null);
          }),
        );
      }
      return { targets, counted };
    },
    async resample(request: ResampleRequest, into: Float64Array, signal?: AbortSignal): Promise<void> {
      throwIfAborted(signal);
      validateResampleRequest(request);
      trilinearResample(request, into);
    },
    dispose() {},
  };
}
