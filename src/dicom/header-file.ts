// SPDX-License-Identifier: BSD-3-Clause
// readDicomHeaderFile: a DICOM header read from the first bytes of a file (Node and Deno).
import { DosekitError, isDosekitError } from '../errors.js';
import { type DicomHeader, readDicomHeader } from './header.js';

/** Options of {@link readDicomHeaderFile}. */
export interface ReadDicomHeaderFileOptions {
  /** Bytes read first (default 65536); when the header is longer, 16 times more, up to the whole file. */
  readonly prefixBytes?: number;
}

/** Bytes read by default before the header is tried (64 KiB). */
export const DEFAULT_HEADER_PREFIX_BYTES = 64 * 1024;

function readError(path: string, error: unknown): DosekitError {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return new DosekitError('E_FILE_NOT_FOUND', `${path}: no such file. Check the path.`, { file: path });
  if (code === 'EISDIR') return new DosekitError('E_FILE_READ', `${path}: is a directory, not a DICOM file.`, { file: path });
  return new DosekitError('E_FILE_READ', `${path}: cannot read the file (${code ?? String(error)}); check its permissions.`, { file: path }, { cause: error });
}

/**
 * Reads a DICOM file's header (see `readDicomHeader`) from its first `prefixBytes`, reading
 * more only when the header is longer (an RT Dose with a large DVH Sequence, an RT Plan): at
 * most the whole file, never its pixel data twice. `node:fs` is imported lazily.
 * @throws DosekitError E_FILE_NOT_FOUND / E_FILE_READ, and those of `readDicomHeader`.
 */
export async function readDicomHeaderFile(path: string, options: ReadDicomHeaderFileOptions = {}): Promise<DicomHeader> {
  const fs = await import('node:fs/promises');
  let handle: Awaited<ReturnType<typeof fs.open>>;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    throw readError(path, error);
  }
  try {
    const size = (await handle.stat()).size;
    let length = Math.min(size, Math.max(1024, options.prefixBytes ?? DEFAULT_HEADER_PREFIX_BYTES));
    for (;;) {
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
    throw readError(path, error);
  } finally {
    await handle.close();
  }
}
