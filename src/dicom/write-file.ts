// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';
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

/**
 * Writes a file safely in Node or Deno: refuses to write over an input (E_OUTPUT_IS_INPUT) or
 * an existing file unless `force` (E_OUTPUT_EXISTS), writes to a temporary file in the target
 * folder and renames it into place, so no reader ever sees half a file and an interrupted
 * write leaves the old file (or none) behind. Node modules are imported lazily so browser
 * bundles that never call this do not need them.
 */
/**
 * Fails when writing `path` would break the output rules: it is one of `inputs`
 * (E_OUTPUT_IS_INPUT), or it exists and `force` is not set (E_OUTPUT_EXISTS). Commands call it
 * before reading anything, so a doomed run fails at once; {@link writeFileSafely} checks again.
 * Returns the resolved target path.
 */
export async function checkOutputPath(path: string, options: SafeWriteOptions = {}): Promise<string> {
  const fs = await import('node:fs');
  const { basename, dirname, join, resolve } = await import('node:path');
  const canonical = (p: string): string => {
    const absolute = resolve(p);
    try {
      return fs.realpathSync(absolute);
    } catch {
      try {
        return join(fs.realpathSync(dirname(absolute)), basename(absolute));
      } catch {
        return absolute;
      }
    }
  };
  const target = canonical(path);
  for (const input of options.inputs ?? []) {
    if (canonical(input) === target) {
      throw new DosekitError('E_OUTPUT_IS_INPUT', `${path} is one of the input files; dosekit never writes over its inputs. Choose another output path.`, { file: path });
    }
  }
  if (fs.existsSync(target) && !options.force) {
    throw new DosekitError('E_OUTPUT_EXISTS', `${path} already exists; pass --force (force: true) to replace it, or choose another path.`, { file: path });
  }
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
