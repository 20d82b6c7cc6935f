// SPDX-License-Identifier: BSD-3-Clause
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DosekitError } from '../errors.js';

function canonical(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    try {
      return join(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

/**
 * Writes an output file safely: refuses to write over an input (E_OUTPUT_IS_INPUT) or an
 * existing file unless `force` (E_OUTPUT_EXISTS), writes to a temporary file in the target
 * folder and renames it into place, so a reader never sees half a file.
 */
export function writeOutputFile(path: string, content: string | Uint8Array, options: { force?: boolean; inputs?: readonly string[] } = {}): void {
  const target = canonical(path);
  for (const input of options.inputs ?? []) {
    if (canonical(input) === target) {
      throw new DosekitError('E_OUTPUT_IS_INPUT', `${path} is one of the input files; dosekit never writes over its inputs. Choose another output path.`, { file: path });
    }
  }
  if (existsSync(target) && !options.force) {
    throw new DosekitError('E_OUTPUT_EXISTS', `${path} already exists; pass --force to replace it, or choose another path.`, { file: path });
  }
  mkdirSync(dirname(target), { recursive: true });
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new DosekitError('E_FILE_READ', `cannot write ${path}: ${(error as Error).message}`, { file: path }, { cause: error });
  }
}
