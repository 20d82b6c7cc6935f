// SPDX-License-Identifier: BSD-3-Clause
// Cell-spreading jobs (the precise algorithm) on the GPU: float32 dose interpolation, each
// sample's mass spread over its cell's dose interval as ramps in 64-bit fixed point.
import type { PlaneHistogramJob } from '../backend/compute-backend.js';
import { type DoseBinning, type HistogramTarget, fedTargets } from '../kernels/dose-histogram.js';
import { NO_TARGET, crossingRows } from './crossing-rows.js';
import type { AcquiredDevice } from './device.js';
import { runTwoPass } from './two-pass.js';

/** Ramp accumulators count in units of 2^-24 of a sample (shaders/dose-histogram.wgsl). */
const FIXED_ONE = 16777216;
/** Words of one job's parameters (the WGSL Job struct). */
const JOB_WORDS = 16;

/** True when the spread kernel handles this job. */
export function isSpreadJob(job: PlaneHistogramJob): boolean {
  return job.plane.spread !== undefined;
}

/** The results of a spread batch, split by section; per target slot (in `targets` order) and per layer. */
export interface SpreadResults {
  /** The request's target index of each slot. */
  readonly targets: readonly number[];
  readonly counts: Uint32Array;
  readonly ramps: Uint32Array;
  readonly counted: Uint32Array;
  readonly extremes: Uint32Array;
}

/** Adds the accumulators (64-bit fixed point) of slot `index` of a spread batch's results to a CPU target. */
export function addSpreadResults(target: HistogramTarget, results: SpreadResults, index: number, binCount: number, binWidthCGy: number): void {
  const edges = binCount + 1;
  for (let b = 0; b < binCount; b += 1) target.counts[b] += results.counts[index * binCount + b];
  const word = (k: number, accumulator: number) => {
    const at = ((index * edges + k) * 4 + accumulator) * 2;
    return results.ramps[at] + results.ramps[at + 1] * 4294967296;
  };
  for (let k = 0; k < edges; k += 1) {
    target.rampConstant[k] += (word(k, 0) - word(k, 1)) / FIXED_ONE;
    target.rampSlope[k] += (word(k, 2) - word(k, 3)) / FIXED_ONE;
  }
  if (results.extremes[index * 2] !== 0xffffffff) {
    const f32 = new Float32Array(results.extremes.buffer, results.extremes.byteOffset, results.extremes.length);
    target.minCGy = Math.min(target.minCGy, f32[index * 2] * binWidthCGy);
    target.maxCGy = Math.max(target.maxCGy, f32[index * 2 + 1] * binWidthCGy);
  }
}

/** Result words per target slot: counts, 4 two-word ramp accumulators per edge, the extremes. */
function wordsPerTarget(binCount: number): number {
  return binCount + (binCount + 1) * 8 + 2;
}

/** The buffers of a spread batch that do not depend on the contours: the frames (f32), the job words and the results, bytes. */
export function spreadBatchBytes(binning: DoseBinning, jobs: readonly PlaneHistogramJob[]): { planes: number; jobs: number; results: number } {
  // Frames are told apart as the batch uploads them: by buffer and byte offset.
  const frames = new Map<ArrayBufferLike, Set<number>>();
  let planeBytes = 0;
  let layers = 0;
  for (const job of jobs) {
    for (const values of [job.plane.values, job.plane.spread!.second]) {
      const view = values as unknown as { buffer: ArrayBufferLike; byteOffset: number };
      let offsets = frames.get(view.buffer);
      if (!offsets) frames.set(view.buffer, (offsets = new Set()));
      if (offsets.has(view.byteOffset)) continue;
      offsets.add(view.byteOffset);
      planeBytes += values.length * 4;
    }
    layers += job.layers.length;
  }
  return { planes: planeBytes, jobs: jobs.length * JOB_WORDS * 4, results: (fedTargets(jobs).size * wordsPerTarget(binning.binCount) + layers) * 4 };
}

/**
 * Runs a batch of spread jobs. Only the targets the jobs feed have accumulators on the GPU, so
 * the results buffer grows with them, not with the request.
 */
export async function runSpreadBatch(acquired: AcquiredDevice, binning: DoseBinning, jobs: readonly PlaneHistogramJob[]): Promise<SpreadResults> {
  const targets = [...fedTargets(jobs)];
  const slots = new Map(targets.map((t, slot) => [t, slot]));
  const targetCount = targets.length;
  const toBins = (binning.doseGridScaling * binning.unitsToCGy) / binning.binWidthCGy;
  // Each frame goes up once, in bins, as float32, written straight into the one upload array.
  const frames = new Map<ArrayBufferLike, Map<number, number>>();
  const frameList: ArrayLike<number>[] = [];
  let doseLength = 0;
  const frameOffset = (values: ArrayLike<number>): number => {
    const view = values as unknown as { buffer: ArrayBufferLike; byteOffset: number };
    let byBuffer = frames.get(view.buffer);
    if (!byBuffer) {
      byBuffer = new Map();
      frames.set(view.buffer, byBuffer);
    }
    let offset = byBuffer.get(view.byteOffset);
    if (offset === undefined) {
      offset = doseLength;
      byBuffer.set(view.byteOffset, offset);
      frameList.push(values);
      doseLength += values.length;
    }
    return offset;
  };
  const jobWords = new ArrayBuffer(jobs.length * JOB_WORDS * 4);
  const u32 = new Uint32Array(jobWords);
  const f32 = new Float32Array(jobWords);
  jobs.forEach((job, jobIndex) => {
    const { plane } = job;
    const spread = plane.spread!;
    const base = jobIndex * JOB_WORDS;
    u32.set([frameOffset(plane.values), frameOffset(spread.second), plane.columns, plane.transposed ? 1 : 0, plane.transposed ? plane.rows : plane.columns, plane.transposed ? plane.columns : plane.rows], base);
    f32.set([plane.factorX, plane.factorY, spread.fraction, spread.frameGapMm > 0 ? 1 / spread.frameGapMm : 0, spread.voxelMm[0], spread.voxelMm[1], ...spread.cellMm], base + 6);
  });
  // Per row: (first mask word, width, job, lattice row), (first window column, target, layer, 0).
  const table: number[] = [];
  const crossings = crossingRows(jobs, (_job, jobIndex, target, layer, c, r, firstWord) => {
    table.push(firstWord, c.colEnd - c.colStart, jobIndex, c.rowStart + r, c.colStart, target === NO_TARGET ? NO_TARGET : slots.get(target)!, layer, 0);
  });
  const edges = binning.binCount + 1;
  const countsLength = targetCount * binning.binCount;
  const rampsOffset = countsLength;
  const countedOffset = rampsOffset + targetCount * edges * 8;
  const extremesOffset = countedOffset + crossings.layerCount;
  const initial = new Uint32Array(extremesOffset + targetCount * 2);
  for (let t = 0; t < targetCount; t += 1) initial[extremesOffset + t * 2] = 0xffffffff;
  const split = (all: Uint32Array): SpreadResults => ({
    targets,
    counts: all.subarray(0, countsLength),
    ramps: all.subarray(rampsOffset, countedOffset),
    counted: all.subarray(countedOffset, extremesOffset),
    extremes: all.slice(extremesOffset),
  });
  if (crossings.rowCount === 0) return split(initial);
  const dose = new Float32Array(Math.max(1, doseLength));
  let at = 0;
  for (const values of frameList) {
    for (let i = 0; i < values.length; i += 1) dose[at + i] = values[i] * toBins;
    at += values.length;
  }
  const results = await runTwoPass(acquired, crossings, {
    variant: 'spread',
    params: [binning.binCount, rampsOffset, countedOffset, extremesOffset],
    rowTable: Uint32Array.from(table),
    inputs: [dose, new Uint32Array(jobWords)],
    results: initial,
  });
  return split(results);
}
