// SPDX-License-Identifier: BSD-3-Clause
import { readRegularFile } from './regular-file.js';

/**
 * Reads a whole file as bytes in Node or Deno. Only a regular file is read (a device, FIFO or
 * directory is E_NOT_A_FILE before anything is opened), and only when its size is within the
 * memory ceiling (E_TOO_LARGE otherwise). `node:fs` is imported lazily so that browser bundles
 * that never call this do not need it.
 * @throws DosekitError E_NOT_A_FILE, E_TOO_LARGE, E_FILE_NOT_FOUND or E_FILE_READ.
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  return readRegularFile(path);
}
