// SPDX-License-Identifier: BSD-3-Clause
// walkFiles: the files under some folders, in a deterministic order, each once.
import { notAFileError } from '../dicom/regular-file.js';
import { DosekitError, type DosekitErrorCode } from '../errors.js';

/** A file found by {@link walkFiles}. */
export interface WalkedFile {
  /** The root as given joined with the file's path below it (the root itself for a file root). */
  readonly path: string;
  /** The root, as given, the file was found under. */
  readonly root: string;
}

/** A file or folder that could not be looked at. */
export interface WalkProblem {
  readonly path: string;
  readonly code: DosekitErrorCode;
  readonly message: string;
}

/** What {@link walkFiles} found. */
export interface WalkResult {
  readonly files: readonly WalkedFile[];
  readonly problems: readonly WalkProblem[];
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Lists the files under `roots` (folders or files), in the order of the roots and, within each
 * folder, by name (code-unit order, the same on every system). Hidden entries (names starting
 * with '.') are skipped; symbolic links are followed, but a folder or file already seen (through
 * a link loop, a link, or overlapping roots) is listed once, at its first place. Entries that are
 * neither files nor folders (FIFOs, devices, sockets) are only looked at, never opened, and listed
 * in `problems` as E_NOT_A_FILE. `node:fs` is imported lazily.
 * @throws DosekitError E_FILE_NOT_FOUND when a root does not exist.
 */
export async function walkFiles(roots: readonly string[]): Promise<WalkResult> {
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  const seen = new Set<string>();
  const files: WalkedFile[] = [];
  const problems: WalkProblem[] = [];
  const identity = (stat: { dev: bigint; ino: bigint }): string => `${stat.dev}:${stat.ino}`;

  const visit = async (path: string, root: string): Promise<void> => {
    let stat;
    try {
      stat = await fs.stat(path, { bigint: true });
    } catch (error) {
      const code = (error as { code?: string }).code;
      problems.push({ path, code: 'E_FILE_READ', message: `${path}: cannot look at it (${code ?? String(error)}); a broken symbolic link or a missing permission.` });
      return;
    }
    const id = identity(stat);
    if (seen.has(id)) return;
    seen.add(id);
    if (stat.isFile()) {
      files.push({ path, root });
      return;
    }
    if (!stat.isDirectory()) {
      // A FIFO, device or socket: listed as skipped, never opened (opening a FIFO blocks).
      problems.push({ path, code: 'E_NOT_A_FILE', message: notAFileError(path, stat).message });
      return;
    }
    let names: string[];
    try {
      names = await fs.readdir(path);
    } catch (error) {
      const code = (error as { code?: string }).code;
      problems.push({ path, code: 'E_FILE_READ', message: `${path}: cannot list the folder (${code ?? String(error)}); check its permissions.` });
      return;
    }
    for (const name of names.sort(byCodeUnits)) {
      if (!name.startsWith('.')) await visit(join(path, name), root);
    }
  };

  for (const root of roots) {
    try {
      await fs.stat(root);
    } catch {
      throw new DosekitError('E_FILE_NOT_FOUND', `${root}: no such file or folder. Check the path.`, { file: root });
    }
    await visit(root, root);
  }
  return Object.freeze({ files: Object.freeze(files), problems: Object.freeze(problems) });
}
