// SPDX-License-Identifier: BSD-3-Clause
// Runs the doses of `dosekit batch`: in this thread, or spread over worker threads.
import { Worker } from 'node:worker_threads';
import type { CohortEntry } from '../cohort/pair.js';
import { type BatchSettings, type DoseOutcome, type StructureSetCache, computeDoseRows } from './batch-rows.js';
import type { WorkerReply, WorkerRequest } from './batch-worker.js';

/**
 * The worker script: the built batch-worker.js beside this module (dist/src/cli/, where
 * bin/dosekit.js loads the CLI from). Run from the TypeScript sources (src/cli/batch-pool.ts,
 * as in tests), the worker is still taken from dist/: build first.
 */
function workerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/src/cli/batch-worker.js', here) : new URL('./batch-worker.js', here);
}

/**
 * Calculates every entry and returns the outcomes in entry order, whatever order they finish in.
 * `jobs` > 1 runs that many worker threads (at most one per entry), each taking the next dose
 * when it finishes one; `onDone` is called as each dose finishes.
 */
export async function runDoses(entries: readonly CohortEntry[], settings: BatchSettings, jobs: number, signal: AbortSignal | undefined, onDone: (outcome: DoseOutcome) => void): Promise<DoseOutcome[]> {
  const outcomes: DoseOutcome[] = new Array(entries.length);
  if (jobs <= 1 || entries.length <= 1) {
    const cache: StructureSetCache = {};
    for (let k = 0; k < entries.length; k += 1) {
      outcomes[k] = await computeDoseRows(entries[k], settings, cache, signal);
      onDone(outcomes[k]);
    }
    return outcomes;
  }
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let finished = 0;
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      // Ctrl-C: stop handing out doses; the workers are terminated below.
      signal?.addEventListener('abort', () => fail(signal.reason instanceof Error ? signal.reason : new DOMException('interrupted', 'AbortError')), { once: true });
      if (signal?.aborted) fail(new DOMException('interrupted', 'AbortError'));
      const give = (worker: Worker) => {
        if (next >= entries.length) return;
        worker.postMessage({ index: next, entry: entries[next] } satisfies WorkerRequest);
        next += 1;
      };
      for (let w = 0; w < Math.min(jobs, entries.length); w += 1) {
        const worker = new Worker(workerUrl(), { workerData: { settings } });
        workers.push(worker);
        worker.on('message', (reply: WorkerReply) => {
          if (failed) return;
          if ('failure' in reply) {
            fail(new Error(`dose ${entries[reply.index].rtdose.path}: ${reply.failure}`));
            return;
          }
          outcomes[reply.index] = reply.outcome;
          finished += 1;
          onDone(reply.outcome);
          if (finished === entries.length) resolve();
          else give(worker);
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (finished < entries.length) fail(new Error(`a batch worker thread stopped (exit code ${code}) before the doses were done`));
        });
        give(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return outcomes;
}
