// SPDX-License-Identifier: BSD-3-Clause
// What a DVH algorithm asks of the kernels, and how the runner feeds it to a backend:
// every sample layer of every ROI, grouped by dose plane and lattice, in batches.
import { createCheckpoint, throwIfAborted } from '../backend/abort.js';
import type { ComputeBackend, PlaneHistogramJob } from '../backend/compute-backend.js';
import { type DoseBinning, type HistogramTarget, addTarget, emptyTarget, fedTargets } from '../kernels/dose-histogram.js';
import type { DoseGrid } from '../model/dose-grid.js';
import { type DosePlaneSource, dosePlaneKey, dosePlaneValues } from '../model/dose-plane.js';
import type { Roi } from '../model/structure-set.js';
import type { DosekitErrorCode } from '../errors.js';
import { checkMemory } from '../limits.js';
import { histogramTargetBytes } from './dose-binning.js';
import type { DVH } from './dvh.js';
import type { InPlaneSampling } from './sampling.js';

/** One ROI's contours on one sample plane: rasterised on `sampling`, dose from `source`. */
export interface SampleLayer {
  readonly source: DosePlaneSource;
  readonly sampling: InPlaneSampling;
  readonly rings: readonly Float64Array[];
  /** Histogram target index, or -1 to count samples only. */
  readonly target: number;
  /** Spread each sample over the dose its cell spans (precise); the cell's thickness in mm. */
  readonly spreadCellZMm?: number;
  /** Samples counted (filled in by the runner). */
  counted: number;
}

/** Why one ROI has no DVH (the other ROIs are unaffected). */
export interface RoiFailure {
  readonly code: DosekitErrorCode;
  readonly message: string;
}

/** The work of one ROI and how to turn its counts into a DVH. */
export interface RoiWork {
  readonly roi: Roi;
  readonly layers: readonly SampleLayer[];
  /**
   * The ROI's DVH from the summed targets. Long work in it (the precise algorithm's surface walk)
   * awaits `checkpoint` (see createCheckpoint), so that it yields and stops on an abort.
   */
  finish(targets: readonly HistogramTarget[], checkpoint: () => Promise<void>): DVH | RoiFailure | Promise<DVH | RoiFailure>;
}

/** A whole calculation: shared binning, the number of histogram targets, the ROIs. */
export interface CalculationPlan {
  readonly binning: DoseBinning;
  readonly targetCount: number;
  readonly rois: readonly RoiWork[];
}

const samplingIds = new WeakMap<InPlaneSampling, number>();
let nextSamplingId = 0;
function samplingId(sampling: InPlaneSampling): number {
  let id = samplingIds.get(sampling);
  if (id === undefined) {
    id = nextSamplingId;
    nextSamplingId += 1;
    samplingIds.set(sampling, id);
  }
  return id;
}

/**
 * Runs a plan on a backend: each distinct dose plane is read (or interpolated) once per batch,
 * every ROI layer on it goes to the backend together, and the integer counts are summed per
 * target in float64 (exact).
 */
export async function runPlan(plan: CalculationPlan, grid: DoseGrid, backend: ComputeBackend, options: { signal?: AbortSignal; onProgress?: (fraction: number) => void; batchSize?: number }): Promise<HistogramTarget[]> {
  const groups = new Map<string, { source: DosePlaneSource; sampling: InPlaneSampling; spreadCellZMm?: number; layers: SampleLayer[] }>();
  for (const work of plan.rois) {
    for (const layer of work.layers) {
      const key = `${dosePlaneKey(layer.source)}|${samplingId(layer.sampling)}|${layer.spreadCellZMm ?? ''}`;
      let group = groups.get(key);
      if (!group) {
        group = { source: layer.source, sampling: layer.sampling, spreadCellZMm: layer.spreadCellZMm, layers: [] };
        groups.set(key, group);
      }
      group.layers.push(layer);
    }
  }
  // The summed histograms and, at most, as many again for one batch's: refused up front past the memory ceiling.
  const binCount = plan.binning.binCount;
  checkMemory(
    2 * plan.targetCount * histogramTargetBytes(binCount),
    `the dose histograms of ${plan.rois.length} ROIs (${plan.targetCount} histograms of ${binCount} bins of ${plan.binning.binWidthCGy} cGy)`,
    undefined,
    { binCount, histograms: plan.targetCount },
  );
  const totals = Array.from({ length: plan.targetCount }, () => emptyTarget(binCount));
  const entries = [...groups.values()];
  const planeSize = grid.geometry.rows * grid.geometry.columns;
  const batchSize = options.batchSize ?? 8;
  const planeCache = new Map<string, ArrayLike<number>>();
  const checkpoint = createCheckpoint(options.signal);
  for (let start = 0; start < entries.length; start += batchSize) {
    throwIfAborted(options.signal);
    const batch = entries.slice(start, start + batchSize);
    planeCache.clear();
    const frame = (k: number) => grid.pixels.subarray(k * planeSize, (k + 1) * planeSize);
    const jobs: PlaneHistogramJob[] = batch.map(({ source, sampling, spreadCellZMm, layers }) => {
      const layerJobs = layers.map((l) => ({ rings: l.rings, target: l.target }));
      if (spreadCellZMm !== undefined) {
        // Both frames go to the kernel, which interpolates in z and spreads each sample's cell.
        const lower = source.kind === 'frame' ? source.frame : source.lower;
        const upper = source.kind === 'frame' ? source.frame : source.upper;
        const z = grid.geometry.frameZMm;
        const plane = sampling.plane(frame(lower));
        return {
          lattice: sampling.lattice,
          plane: {
            ...plane,
            spread: {
              second: frame(upper),
              fraction: source.kind === 'frame' ? 0 : source.fraction,
              frameGapMm: Math.abs(z[upper] - z[lower]),
              voxelMm: sampling.voxelMm,
              cellMm: [sampling.voxelMm[0] / sampling.factorX, sampling.voxelMm[1] / sampling.factorY, spreadCellZMm] as const,
            },
          },
          layers: layerJobs,
        };
      }
      const key = dosePlaneKey(source);
      let values = planeCache.get(key);
      if (!values) {
        values = source.kind === 'frame' ? frame(source.frame) : dosePlaneValues(grid, source);
        planeCache.set(key, values);
      }
      return { lattice: sampling.lattice, plane: sampling.plane(values), layers: layerJobs };
    });
    const response = await backend.histogram({ binning: plan.binning, targetCount: plan.targetCount, jobs }, options.signal);
    batch.forEach((group, g) => group.layers.forEach((layer, l) => (layer.counted = response.counted[g][l])));
    // Only the targets this batch fed: the others are empty, and adding them (3 x binCount each) would cost time for nothing.
    for (const t of fedTargets(jobs)) addTarget(totals[t], response.targets[t]);
    options.onProgress?.(Math.min(1, (start + batch.length) / entries.length));
    await checkpoint();
  }
  if (entries.length === 0) options.onProgress?.(1);
  return totals;
}
