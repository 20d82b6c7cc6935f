// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';

/**
 * Reads a whole file as bytes in Node or Deno. `node:fs` is imported lazily so that browser
 * bundles that never call this do not need it.
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  try {
    const buffer = await fs.readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new DosekitError('E_FILE_NOT_FOUND', `${path}: no such file. Check the path.`, { file: path });
    if (code === 'EISDIR') throw new DosekitError('E_FILE_READ', `${path}: is a directory, not a DICOM file.`, { file: path });
    throw new DosekitError('E_FILE_READ', `${path}: cannot read the file (${code ?? String(error)}).`, { file: path }, { cause: error });
  }
}
