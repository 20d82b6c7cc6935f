// SPDX-License-Identifier: BSD-3-Clause
// Opening input files: only regular files, checked before anything is read (Node and Deno).
import { DosekitError, isDosekitError } from '../errors.js';
import { checkMemory } from '../limits.js';

/** The type tests of a file system entry (node:fs Stats or BigIntStats). */
export interface FileTypeTests {
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}

/** What a path that is not a regular file is, for messages and `details.kind`. */
export type NonRegularKind = 'directory' | 'fifo' | 'character-device' | 'block-device' | 'socket' | 'other';

const DESCRIPTIONS: Readonly<Record<NonRegularKind, string>> = {
  directory: 'a directory',
  fifo: 'a FIFO (named pipe)',
  'character-device': 'a character device',
  'block-device': 'a block device',
  socket: 'a socket',
  other: 'a special file',
};

/** What stands at a path that is not a regular file, for messages ("a FIFO (named pipe)"). */
export function describeNonRegular(stat: FileTypeTests): string {
  return DESCRIPTIONS[nonRegularKind(stat)];
}

function nonRegularKind(stat: FileTypeTests): NonRegularKind {
  if (stat.isDirectory()) return 'directory';
  if (stat.isFIFO()) return 'fifo';
  if (stat.isCharacterDevice()) return 'character-device';
  if (stat.isBlockDevice()) return 'block-device';
  if (stat.isSocket()) return 'socket';
  return 'other';
}

/**
 * E_NOT_A_FILE for a path that is not a regular file. Devices and pipes are never read: a FIFO
 * blocks until something writes to it, /dev/zero or /dev/urandom never end.
 */
export function notAFileError(path: string, stat: FileTypeTests): DosekitError {
  const kind = nonRegularKind(stat);
  const wayOut =
    kind === 'directory'
      ? 'Give the path of a file inside it (dosekit batch reads whole folders).'
      : 'It is not read, since it could block or never end: copy it to a regular file and give that path.';
  return new DosekitError('E_NOT_A_FILE', `${path}: is ${DESCRIPTIONS[kind]}, not a regular file. ${wayOut}`, { file: path, kind });
}

/** The DosekitError for a failed stat, open or read of an input file. */
export function fileReadError(path: string, error: unknown): DosekitError {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new DosekitError('E_FILE_NOT_FOUND', `${path}: no such file. Check the path.`, { file: path });
  if (code === 'EISDIR') return notAFileError(path, { isFile: () => false, isDirectory: () => true, isFIFO: () => false, isCharacterDevice: () => false, isBlockDevice: () => false, isSocket: () => false });
  return new DosekitError('E_FILE_READ', `${path}: cannot read the file (${code ?? String(error)}); check its permissions.`, { file: path }, { cause: error });
}

type FileHandle = Awaited<ReturnType<typeof import('node:fs/promises').open>>;

/** An input file opened for reading, known to be a regular file of `size` bytes. */
export interface OpenedFile {
  readonly handle: FileHandle;
  readonly size: number;
}

/**
 * Opens `path` for reading after checking, without opening it, that it is a regular file; then
 * checks the opened file again (the path may have been replaced in between). Opened with
 * O_NONBLOCK where the system has it, so that even a FIFO swapped in after the check never
 * blocks the open. The caller closes the handle.
 * @throws DosekitError E_NOT_A_FILE, E_FILE_NOT_FOUND or E_FILE_READ.
 */
export async function openRegularFile(path: string): Promise<OpenedFile> {
  const fs = await import('node:fs/promises');
  const { constants } = await import('node:fs');
  let stat;
  try {
    stat = await fs.stat(path);
  } catch (error) {
    throw fileReadError(path, error);
  }
  if (!stat.isFile()) throw notAFileError(path, stat);
  let handle: FileHandle;
  try {
    handle = await fs.open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw fileReadError(path, error);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw notAFileError(path, opened);
    return { handle, size: opened.size };
  } catch (error) {
    await handle.close();
    throw isDosekitError(error) ? error : fileReadError(path, error);
  }
}

/** The most bytes asked of one read call (Node refuses more than 2 GiB - 1 at once). */
const READ_CHUNK_BYTES = 2 ** 30;

/**
 * Reads a whole regular file. Its size is checked against the memory ceiling (see
 * `memoryLimitBytes`) before a byte is read, and exactly that many bytes are read: a file that
 * grows meanwhile is read as it was, one that shrinks as it now is.
 * @throws DosekitError E_NOT_A_FILE, E_TOO_LARGE, E_FILE_NOT_FOUND or E_FILE_READ.
 */
export async function readRegularFile(path: string): Promise<Uint8Array> {
  const { handle, size } = await openRegularFile(path);
  try {
    checkMemory(size, `${path}: reading this ${size}-byte file`, undefined, { file: path });
    const bytes = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, Math.min(size - filled, READ_CHUNK_BYTES), filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === size ? bytes : bytes.subarray(0, filled);
  } catch (error) {
    throw isDosekitError(error) ? error : fileReadError(path, error);
  } finally {
    await handle.close();
  }
}
