// SPDX-License-Identifier: BSD-3-Clause
// Ctrl-C in the commands. The SIGINT handler (main.ts) only runs when the event loop gets a turn,
// and synchronous file writes never give it one: a command's own long work awaits these.
import { createCheckpoint } from '../backend/abort.js';
import type { CliIo } from './io.js';

/**
 * A checkpoint for a command's own loops (files, ROIs, phantoms): every ~10 ms it gives the event
 * loop a turn, so that Ctrl-C is heard, and once the user has interrupted it throws the AbortError
 * (main.ts then exits with 130, writing nothing).
 */
export function commandCheckpoint(io: CliIo): () => Promise<void> {
  return createCheckpoint(io.signal);
}

/**
 * Call before writing an output: gives the event loop a turn (a Ctrl-C pressed during the
 * synchronous work before is delivered now) and throws the AbortError if the user interrupted,
 * so that an interrupted command never writes.
 */
export async function beforeWriting(io: CliIo): Promise<void> {
  await createCheckpoint(io.signal, 0)();
}
