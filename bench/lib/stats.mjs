// SPDX-License-Identifier: BSD-3-Clause
// Small helpers shared by the benchmarks.
import { cpus, totalmem } from 'node:os';

/** Median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The p-th percentile (0..100), nearest rank. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Times `fn` `runs` times (ms), returning the first run apart from the rest. */
export async function timeRuns(fn, runs) {
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return { firstMs: times[0], medianMs: median(times.slice(1).length ? times.slice(1) : times), p90Ms: percentile(times, 90), runs: times.length, allMs: times };
}

/** A description of this machine for the results file. */
export function machine() {
  return { cpu: cpus()[0]?.model ?? 'unknown', logicalCpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` };
}
