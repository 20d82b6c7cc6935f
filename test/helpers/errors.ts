// SPDX-License-Identifier: BSD-3-Clause
import { expect } from 'vitest';
import { DosekitError } from '../../src/errors.js';

/** The DosekitError that `work` throws; fails the test on any other outcome (naming it). */
export function dosekitError(work: () => unknown): DosekitError {
  let caught: unknown;
  try {
    work();
  } catch (error) {
    caught = error;
  }
  if (!(caught instanceof DosekitError)) {
    expect.fail(`expected a DosekitError, got ${caught === undefined ? 'no error' : String((caught as Error)?.stack ?? caught)}`);
  }
  return caught;
}

/** The DosekitError that `work` rejects with; fails the test on any other outcome (naming it). */
export async function dosekitErrorAsync(work: () => Promise<unknown>): Promise<DosekitError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof DosekitError) return error;
    expect.fail(`expected a DosekitError, got ${String((error as Error)?.stack ?? error)}`);
  }
  return expect.fail('expected a DosekitError, got no error');
}

/** `bytes` followed by `tail` (or by that many zero bytes). */
export function appendBytes(bytes: Uint8Array, tail: Uint8Array | number): Uint8Array {
  const extra = typeof tail === 'number' ? new Uint8Array(tail) : tail;
  const out = new Uint8Array(bytes.length + extra.length);
  out.set(bytes);
  out.set(extra, bytes.length);
  return out;
}
