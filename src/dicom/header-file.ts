// SPDX-License-Identifier: BSD-3-Clause
// readDicomHeaderFile: a DICOM header read from the first bytes of a file (Node and Deno).
import { isDosekitError } from '../errors.js';
import { checkMemory } from '../limits.js';
import { type DicomHeader, readDicomHeader } from './header.js';
import { fileReadError, openRegularFile } from './regular-file.js';

/** Options of {@link readDicomHeaderFile}. */
export interface ReadDicomHeaderFileOptions {
  /** Bytes read first (default 65536); when the header is longer, 16 times more, up to the whole file. */
  readonly prefixBytes?: number;
}

/** Bytes read by default before the header is tried (64 KiB). */
export const DEFAULT_HEADER_PREFIX_BYTES = 64 * 1024;

/**
 * Reads a DICOM file's header (see `readDicomHeader`) from its first `prefixBytes`, reading
 * more only when the header is longer (an RT Dose with a large DVH Sequence, an RT Plan): at
 * most the whole file, never its pixel data twice. `node:fs` is imported lazily.
 * @throws DosekitError E_NOT_A_FILE (a device, FIFO or directory), E_FILE_NOT_FOUND, E_FILE_READ,
 *   E_TOO_LARGE (a header longer than the memory ceiling), and those of `readDicomHeader`.
 */
export async function readDicomHeaderFile(path: string, options: ReadDicomHeaderFileOptions = {}): Promise<DicomHeader> {
  // A device, FIFO or directory is refused before it is opened (a FIFO's open would block).
  const { handle, size } = await openRegularFile(path);
  try {
    let length = Math.min(size, Math.max(1024, options.prefixBytes ?? DEFAULT_HEADER_PREFIX_BYTES));
    for (;;) {
      checkMemory(length, `${path}: reading the header of this ${size}-byte file`, undefined, { file: path });
      const bytes = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(bytes, filled, length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      // A file that shrank while being read is taken as it now is.
      const header = readDicomHeader(bytes.subarray(0, filled), path, { fileByteLength: filled < length ? filled : size });
      if (header) return header;
      length = Math.min(size, length * 16);
    }
  } catch (error) {
    if (isDosekitError(error)) throw error;
    throw fileReadError(path, error);
  } finally {
    await handle.close();
  }
}
