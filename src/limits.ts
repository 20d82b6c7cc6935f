// SPDX-License-Identifier: BSD-3-Clause
/**
 * The memory ceiling: work whose memory can be known up front (decoded pixel data, contour
 * coordinates, a dose sum's arrays, a DVH calculation's dose grid) is refused with E_TOO_LARGE
 * before it starts when it would need more than the ceiling, instead of the process running out
 * of memory half-way. The ceiling is `memoryLimitBytes` where an API takes it, else the
 * DOSEKIT_MAX_MEMORY environment variable (bytes, or with a K/M/G/T suffix; Node and Deno), else
 * {@link DEFAULT_MEMORY_LIMIT_BYTES}. The CLI's `--max-memory` sets the variable.
 */
import { DosekitError } from './errors.js';

/** The default ceiling: 4 GiB. */
export const DEFAULT_MEMORY_LIMIT_BYTES = 4 * 2 ** 30;

const SUFFIX: Readonly<Record<string, number>> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * Parses a size such as `8G`, `512M`, `1.5G` or `1000000` (bytes; suffixes are powers of 1024).
 * @throws DosekitError E_INVALID_ARGUMENT for anything else.
 */
export function parseByteSize(text: string): number {
  if (typeof text !== 'string') throw new DosekitError('E_INVALID_ARGUMENT', `a memory size must be a string such as 8G, 512M or a number of bytes (got ${typeof text === 'number' ? text : text === null ? 'null' : typeof text}).`, { argument: 'text' });
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  const bytes = match ? Number(match[1]) * SUFFIX[match[2].toUpperCase()] : Number.NaN;
  if (!(bytes > 0) || !Number.isFinite(bytes)) {
    throw new DosekitError('E_INVALID_ARGUMENT', `"${text}" is not a memory size; write e.g. 8G, 512M or a number of bytes.`, { value: text });
  }
  return Math.floor(bytes);
}

/** The ceiling in force: the option, else DOSEKIT_MAX_MEMORY, else the default. */
export function memoryLimitBytes(option?: number): number {
  if (option !== undefined) {
    if (!(typeof option === 'number' && option > 0 && Number.isFinite(option))) {
      throw new DosekitError('E_INVALID_ARGUMENT', `memoryLimitBytes must be a positive, finite number of bytes (got ${typeof option === 'number' ? option : typeof option}).`, { argument: 'memoryLimitBytes' });
    }
    return option;
  }
  let fromEnvironment: string | undefined;
  try {
    fromEnvironment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.DOSEKIT_MAX_MEMORY;
  } catch {
    // Deno without --allow-env: no variable.
  }
  return fromEnvironment ? parseByteSize(fromEnvironment) : DEFAULT_MEMORY_LIMIT_BYTES;
}

function gib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Refuses work that would need more than the ceiling.
 * @throws DosekitError E_TOO_LARGE naming what, its size, the ceiling and how to raise it.
 */
export function checkMemory(bytes: number, what: string, option?: number, details: Record<string, unknown> = {}): void {
  const limit = memoryLimitBytes(option);
  if (bytes <= limit) return;
  throw new DosekitError(
    'E_TOO_LARGE',
    `${what} would need ${gib(bytes)}, more than the memory limit of ${gib(limit)}. Raise the limit with --max-memory (DOSEKIT_MAX_MEMORY, or memoryLimitBytes in the API) if the machine has the memory.`,
    { ...details, bytes, limit },
  );
}
