// SPDX-License-Identifier: BSD-3-Clause
// A worker thread of `dosekit batch --jobs N`: calculates whole doses and posts their rows back.
import { parentPort, workerData } from 'node:worker_threads';
import type { CohortEntry } from '../cohort/pair.js';
import { type BatchSettings, type StructureSetCache, computeDoseRows } from './batch-rows.js';

/** A dose to calculate: its place in the cohort order and the entry. */
export interface WorkerRequest {
  readonly index: number;
  readonly entry: CohortEntry;
}

/** The rows of a dose, or the failure that escaped computeDoseRows (it should not: every error is a row); the pool makes it an E_INTERNAL row. */
export type WorkerReply = { readonly index: number; readonly outcome: Awaited<ReturnType<typeof computeDoseRows>> } | { readonly index: number; readonly failure: string };

const port = parentPort;
if (port) {
  const settings = (workerData as { settings: BatchSettings }).settings;
  const cache: StructureSetCache = {};
  port.on('message', (request: WorkerRequest) => {
    computeDoseRows(request.entry, settings, cache).then(
      (outcome) => port.postMessage({ index: request.index, outcome } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ index: request.index, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies WorkerReply),
    );
  });
}
