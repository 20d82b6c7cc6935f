// SPDX-License-Identifier: BSD-3-Clause
// Cell-spreading jobs (the precise algorithm) on the GPU: float32 dose interpolation, each
// sample's mass spread over its cell's dose interval as ramps in 64-bit fixed point.
import type { HistogramRequest, PlaneHistogramJob } from '../backend/compute-backend.js';
import type { HistogramTarget } from '../kernels/dose-histogram.js';
import { concatParts, crossingRows } from './crossing-rows.js';
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

/** The results of a spread batch, split by section. */
export interface SpreadResults {
  readonly counts: Uint32Array;
  readonly ramps: Uint32Array;
  readonly counted: Uint32Array;
  readonly extremes: Uint32Array;
}

/** Adds one target's GPU accumulators (64-bit fixed point) to a CPU target. */
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

/** Runs a batch of spread jobs. */
export async function runSpreadBatch(acquired: AcquiredDevice, request: HistogramRequest, jobs: readonly PlaneHistogramJob[]): Promise<SpreadResults> {
  const { binning, targetCount } = request;
  const toBins = (binning.doseGridScaling * binning.unitsToCGy) / binning.binWidthCGy;
  // Each frame goes up once, in bins, as float32.
  const frames = new Map<ArrayBufferLike, Map<number, number>>();
  const doseParts: Float32Array[] = [];
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
      const part = new Float32Array(values.length);
      for (let i = 0; i < part.length; i += 1) part[i] = values[i] * toBins;
      doseParts.push(part);
      doseLength += part.length;
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
    table.push(firstWord, c.colEnd - c.colStart, jobIndex, c.rowStart + r, c.colStart, target, layer, 0);
  });
  const edges = binning.binCount + 1;
  const countsLength = targetCount * binning.binCount;
  const rampsOffset = countsLength;
  const countedOffset = rampsOffset + targetCount * edges * 8;
  const extremesOffset = countedOffset + crossings.layerCount;
  const initial = new Uint32Array(extremesOffset + targetCount * 2);
  for (let t = 0; t < targetCount; t += 1) initial[extremesOffset + t * 2] = 0xffffffff;
  const split = (all: Uint32Array): SpreadResults => ({
    counts: all.slice(0, countsLength),
    ramps: all.slice(rampsOffset, countedOffset),
    counted: all.slice(countedOffset, extremesOffset),
    extremes: all.slice(extremesOffset),
  });
  if (crossings.rowCount === 0) return split(initial);
  const dose = concatParts(doseParts, (n) => new Float32Array(n));
  const results = await runTwoPass(acquired, crossings, {
    variant: 'spread',
    params: [binning.binCount, rampsOffset, countedOffset, extremesOffset],
    rowTable: Uint32Array.from(table),
    inputs: [dose.length ? dose : new Float32Array(1), new Uint32Array(jobWords)],
    results: initial,
  });
  return split(results);
}
