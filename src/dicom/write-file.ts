// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';
import { describeNonRegular } from './regular-file.js';
import { describeValue, optional, requireArrayOf, requireBoolean, requireOptions, requireString } from '../validate.js';

/** Options of {@link writeFileSafely}. */
export interface SafeWriteOptions {
  /** Replace an existing file (default false: E_OUTPUT_EXISTS). */
  readonly force?: boolean;
  /** Files that must never be written over (E_OUTPUT_IS_INPUT), compared after resolving links. */
  readonly inputs?: readonly string[];
}

/**
 * Checks a {@link SafeWriteOptions} object at the API boundary.
 * @throws DosekitError E_INVALID_ARGUMENT for an unknown option or a wrongly typed value.
 */
export function checkSafeWriteOptions(options: unknown): void {
  const checked = requireOptions(options, 'options', ['force', 'inputs']);
  optional(checked.force, 'options.force', requireBoolean);
  optional(checked.inputs, 'options.inputs', (v, n) => requireArrayOf(v, n, (p, pn) => requireString(p, pn, true)));
}

const WAY_OUT = 'dosekit only ever replaces regular files; give a file path, or `-o -` (`--out -`) to write to standard output.';

/**
 * Fails when files cannot be written into `folder`: it (or, when it does not exist yet, the
 * nearest folder above it, where it will be created) is not a folder, or a probe file cannot
 * be created in it (permissions, a read-only file system). `path` is the output named in messages.
 * @throws DosekitError E_FILE_WRITE naming `path` and the folder.
 */
export async function checkOutputFolder(folder: string, path: string = folder): Promise<void> {
  const fs = await import('node:fs');
  const { dirname, join, resolve } = await import('node:path');
  const { randomBytes } = await import('node:crypto');
  let existing = resolve(folder);
  for (;;) {
    let stat: import('node:fs').Stats | undefined;
    try {
      stat = fs.statSync(existing);
    } catch {
      stat = undefined;
    }
    if (stat) {
      if (!stat.isDirectory()) {
        throw new DosekitError('E_FILE_WRITE', `cannot write ${path}: ${existing} is not a folder. Choose an output path in a folder.`, { file: path });
      }
      break;
    }
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  // A real write tells what permission bits cannot: root ignores them, a read-only mount does not.
  const probe = join(existing, `.dosekit-probe-${randomBytes(6).toString('hex')}`);
  try {
    fs.closeSync(fs.openSync(probe, 'wx'));
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    throw new DosekitError('E_FILE_WRITE', `cannot write ${path}: files cannot be created in ${existing} (${code}). Choose a writable folder.`, { file: path }, { cause: error });
  }
  try {
    fs.rmSync(probe, { force: true });
  } catch {
    /* the probe is empty and hidden; failing to remove it must not fail the command */
  }
}

/**
 * The absolute path `path` names after resolving symbolic links (of the folders and of the file
 * itself, when they exist): two outputs or an output and an input are the same file exactly when
 * their canonical paths are equal.
 */
export async function canonicalPath(path: string): Promise<string> {
  const fs = await import('node:fs');
  const { basename, dirname, join, resolve } = await import('node:path');
  let absolute = resolve(path);
  // A link to a file not written yet is followed too: it names the file the link will reach.
  for (let hops = 0; hops < 40; hops += 1) {
    try {
      return fs.realpathSync(absolute);
    } catch {
      /* absolute does not exist (yet): a dangling link, or a new file */
    }
    let link = false;
    try {
      link = fs.lstatSync(absolute).isSymbolicLink();
    } catch {
      link = false;
    }
    if (!link) break;
    absolute = resolve(dirname(absolute), fs.readlinkSync(absolute));
  }
  try {
    return join(fs.realpathSync(dirname(absolute)), basename(absolute));
  } catch {
    return absolute;
  }
}

/**
 * Fails when writing `path` would break the output rules: it is one of `inputs`
 * (E_OUTPUT_IS_INPUT); something other than a regular file is there, or a symbolic link to
 * something other than a regular file, or to nothing (E_OUTPUT_NOT_A_FILE, even with `force`:
 * a device, FIFO, socket or folder is never replaced); a regular file is there and `force` is
 * not set (E_OUTPUT_EXISTS); or its folder is not writable (E_FILE_WRITE). A symbolic link to a
 * regular file is followed: that file is replaced, the link stays. Commands call it before
 * reading anything, so a doomed run fails at once; {@link writeFileSafely} checks again.
 * Returns the resolved target path.
 */
export async function checkOutputPath(path: string, options: SafeWriteOptions = {}): Promise<string> {
  const fs = await import('node:fs');
  const { dirname, resolve } = await import('node:path');
  const target = await canonicalPath(path);
  for (const input of options.inputs ?? []) {
    if ((await canonicalPath(input)) === target) {
      throw new DosekitError('E_OUTPUT_IS_INPUT', `${path} is one of the input files; dosekit never writes over its inputs. Choose another output path.`, { file: path });
    }
  }
  let link: import('node:fs').Stats | undefined;
  try {
    link = fs.lstatSync(resolve(path));
  } catch {
    link = undefined;
  }
  let stat: import('node:fs').Stats | undefined;
  try {
    stat = fs.statSync(target);
  } catch {
    stat = undefined;
  }
  if (link?.isSymbolicLink() && !stat) {
    throw new DosekitError('E_OUTPUT_NOT_A_FILE', `${path} is a symbolic link to ${fs.readlinkSync(resolve(path))}, which does not exist; ${WAY_OUT} Remove the link or create its target first.`, { file: path });
  }
  if (stat && !stat.isFile()) {
    const through = link?.isSymbolicLink() ? ` (a symbolic link to ${target}, which is ${describeNonRegular(stat)})` : ` is ${describeNonRegular(stat)}`;
    throw new DosekitError('E_OUTPUT_NOT_A_FILE', `${path}${through}, not a regular file: ${WAY_OUT}`, { file: path });
  }
  if (stat && !options.force) {
    throw new DosekitError('E_OUTPUT_EXISTS', `${path} already exists; pass --force (force: true) to replace it, or choose another path.`, { file: path });
  }
  await checkOutputFolder(dirname(target), path);
  return target;
}

/**
 * Writes a file safely in Node or Deno: refuses to write over an input (E_OUTPUT_IS_INPUT) or
 * an existing file unless `force` (E_OUTPUT_EXISTS), writes to a temporary file in the target
 * folder and renames it into place, so no reader ever sees half a file and an interrupted
 * write leaves the old file (or none) behind. Node modules are imported lazily so browser
 * bundles that never call this do not need them.
 */
export async function writeFileSafely(path: string, content: string | Uint8Array, options: SafeWriteOptions = {}): Promise<void> {
  requireString(path, 'path', true);
  if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
    throw new DosekitError('E_INVALID_ARGUMENT', `content must be a string or a Uint8Array (got ${describeValue(content)}).`, { argument: 'content' });
  }
  checkSafeWriteOptions(options);
  const target = await checkOutputPath(path, options);
  const fs = await import('node:fs');
  const { basename, dirname, join } = await import('node:path');
  const { randomBytes } = await import('node:crypto');
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    fs.mkdirSync(dirname(target), { recursive: true });
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, target);
  } catch (error) {
    // Best effort: the cleanup may fail for the same reason as the write (Deno without
    // --allow-write throws NotCapable even for a file that does not exist), and must not hide it.
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      /* nothing was written, or nothing can be removed */
    }
    throw new DosekitError('E_FILE_WRITE', `cannot write ${path}: ${(error as Error).message}`, { file: path }, { cause: error });
  }
}
