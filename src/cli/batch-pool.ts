// SPDX-License-Identifier: BSD-3-Clause
// Runs the doses of `dosekit batch`: in this thread, or spread over worker threads. Whatever
// goes wrong with one dose (an exception, a worker thread that dies) becomes that dose's rows;
// only Ctrl-C, or worker threads that cannot start at all, stop the run.
import { Worker } from 'node:worker_threads';
import type { CohortEntry } from '../cohort/pair.js';
import { DosekitError } from '../errors.js';
import { type BatchSettings, type DoseOutcome, type StructureSetCache, computeDoseRows, errorCell, failedDoseOutcome, isAbortError } from './batch-rows.js';
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

/** How {@link runDoses} runs its worker threads. */
export interface DosePoolOptions {
  /** The worker script (default: batch-worker.js); it must speak WorkerRequest / WorkerReply. */
  readonly workerScript?: URL;
}

/** One line of a message (a worker's failure text may hold a whole stack trace). */
function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}

/** Calculates one dose in this thread: never throws except on cancellation. */
async function computeHere(entry: CohortEntry, settings: BatchSettings, cache: StructureSetCache, signal: AbortSignal | undefined): Promise<DoseOutcome> {
  try {
    return await computeDoseRows(entry, settings, cache, signal);
  } catch (error) {
    if (isAbortError(error)) throw error;
    return failedDoseOutcome(entry, settings, errorCell(error, entry.rtdose.path));
  }
}

/**
 * Calculates every entry and returns the outcomes in entry order, whatever order they finish in.
 * `jobs` > 1 runs that many worker threads (at most one per entry), each taking the next dose
 * when it finishes one; `onDone` is called once per dose as it finishes. A dose that throws is
 * an E_INTERNAL row; a worker thread that dies (a crash, running out of memory) is replaced, and
 * the dose it held is an E_INTERNAL row.
 * @throws the AbortError of `signal`; DosekitError E_INTERNAL when more than `jobs` worker
 *   threads in a row stop before taking any dose (they cannot run here at all).
 */
export async function runDoses(
  entries: readonly CohortEntry[],
  settings: BatchSettings,
  jobs: number,
  signal: AbortSignal | undefined,
  onDone: (outcome: DoseOutcome) => void,
  options: DosePoolOptions = {},
): Promise<DoseOutcome[]> {
  const outcomes: DoseOutcome[] = new Array(entries.length);
  if (jobs <= 1 || entries.length <= 1) {
    const cache: StructureSetCache = {};
    for (let k = 0; k < entries.length; k += 1) {
      outcomes[k] = await computeHere(entries[k], settings, cache, signal);
      onDone(outcomes[k]);
    }
    return outcomes;
  }
  const script = options.workerScript ?? workerUrl();
  const live = new Set<Worker>();
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let finished = 0;
      let settled = false;
      /** Workers that stopped in a row without ever taking a dose. */
      let stillborn = 0;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        if (error === undefined) resolve();
        else reject(error);
      };
      const record = (index: number, outcome: DoseOutcome) => {
        if (outcomes[index] !== undefined) return;
        outcomes[index] = outcome;
        finished += 1;
        onDone(outcome);
        if (finished === entries.length) finish();
      };
      const internal = (index: number, why: string) =>
        failedDoseOutcome(entries[index], settings, `E_INTERNAL: ${entries[index].rtdose.path}: ${why} (a dosekit bug or an input it does not anticipate; the other doses were calculated; please report it with this file's description)`);
      // Ctrl-C: stop handing out doses; the workers are terminated below.
      signal?.addEventListener('abort', () => finish(signal.reason instanceof Error ? signal.reason : new DOMException('interrupted', 'AbortError')), { once: true });
      if (signal?.aborted) finish(new DOMException('interrupted', 'AbortError'));

      const start = () => {
        const worker = new Worker(script, { workerData: { settings } });
        live.add(worker);
        let holding: number | undefined;
        let tookDose = false;
        let lastError: string | undefined;
        const give = () => {
          holding = undefined;
          if (settled || next >= entries.length) return;
          holding = next;
          next += 1;
          tookDose = true;
          worker.postMessage({ index: holding, entry: entries[holding] } satisfies WorkerRequest);
        };
        worker.on('message', (reply: WorkerReply) => {
          if (settled) return;
          stillborn = 0;
          record(reply.index, 'failure' in reply ? internal(reply.index, firstLine(reply.failure)) : reply.outcome);
          give();
        });
        worker.on('error', (error: Error) => {
          lastError = `${error.name}: ${error.message}`;
        });
        worker.on('exit', (code) => {
          live.delete(worker);
          if (settled) return;
          const why = lastError ?? `exit code ${code}`;
          if (holding !== undefined) record(holding, internal(holding, `the worker thread calculating this dose stopped (${why})`));
          else if (!tookDose && (stillborn += 1) > jobs) {
            finish(new DosekitError('E_INTERNAL', `dosekit batch: worker threads stop before taking any dose (${why}); run with --jobs 1 to calculate in the main thread, and please report this.`));
            return;
          }
          if (settled) return;
          if (next < entries.length) start();
          else if (live.size === 0) finish(new DosekitError('E_INTERNAL', `dosekit batch: every worker thread stopped with ${entries.length - finished} doses unaccounted for (${why}); please report this.`));
        });
        give();
      };
      for (let w = 0; w < Math.min(jobs, entries.length); w += 1) start();
    });
  } finally {
    await Promise.all([...live].map((worker) => worker.terminate()));
  }
  return outcomes;
}
