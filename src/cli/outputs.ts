// SPDX-License-Identifier: BSD-3-Clause
// The outputs of one command, checked together before any work, and written: a file (through
// writeFileSafely) or, for `-`, standard output.
import { canonicalPath, checkOutputFolder, checkOutputPath, writeFileSafely } from '../dicom/write-file.js';
import { DosekitError } from '../errors.js';
import { beforeWriting } from './interrupt.js';
import type { CliIo } from './io.js';

/** The path that means standard output. */
export const STDOUT = '-';

/** One output of a command. */
export interface PlannedOutput {
  /** The option that names it, without dashes ('out', 'csv'), for messages. */
  readonly option: string;
  /** The path; `-` for standard output; undefined when the option was not given (skipped). */
  readonly path: string | undefined;
  /** 'folder' for an option naming a folder that files are written into (default 'file'). */
  readonly kind?: 'file' | 'folder';
  /** Binary content: standard output takes it only when it is not a terminal. */
  readonly binary?: boolean;
}

/** What the outputs must respect. */
export interface OutputRules {
  /** Replace existing regular files. */
  readonly force?: boolean;
  /** Paths that are never written over. */
  readonly inputs?: readonly string[];
}

/**
 * Checks every output of a command before it does any work: no two outputs on one file (compared
 * after resolving links and relative spellings) or both on standard output (E_USAGE); `-` for
 * binary content only when standard output is not a terminal (E_USAGE); each file writable under
 * the rules of checkOutputPath (E_OUTPUT_NOT_A_FILE, E_OUTPUT_EXISTS, E_OUTPUT_IS_INPUT,
 * E_FILE_WRITE); each folder output a writable folder or creatable (E_FILE_WRITE).
 */
export async function checkOutputs(outputs: readonly PlannedOutput[], rules: OutputRules, io: CliIo): Promise<void> {
  const given = outputs.filter((o): o is PlannedOutput & { path: string } => o.path !== undefined);
  const seen = new Map<string, PlannedOutput & { path: string }>();
  for (const output of given) {
    const key = output.path === STDOUT ? STDOUT : await canonicalPath(output.path);
    const earlier = seen.get(key);
    if (earlier) {
      const where = key === STDOUT ? 'standard output' : `${output.path}${output.path === earlier.path ? '' : ` (and ${earlier.path}: the same file)`}`;
      throw new DosekitError('E_USAGE', `--${earlier.option} and --${output.option} both write to ${where}; give each output its own file.`, { option: output.option });
    }
    seen.set(key, output);
  }
  for (const output of given) {
    if (output.path === STDOUT) {
      if (output.kind === 'folder') throw new DosekitError('E_USAGE', `--${output.option} names a folder; - (standard output) cannot hold its files.`, { option: output.option });
      if (output.binary && io.stdoutIsTerminal) {
        throw new DosekitError('E_USAGE', `--${output.option} - would write binary DICOM to standard output, and standard output is a terminal; redirect it (\`> out.dcm\`, \`| ...\`) or give a file.`, { option: output.option });
      }
      continue;
    }
    if (output.kind === 'folder') await checkOutputFolder(output.path, output.path);
    else await checkOutputPath(output.path, rules);
  }
}

/**
 * Writes one output: to standard output for `-`, else to the file through writeFileSafely, then
 * says `wrote PATH` (and `note`) on standard error unless `note` is null.
 */
export async function writeOutput(io: CliIo, path: string, content: string | Uint8Array, rules: OutputRules, note: string | null = ''): Promise<void> {
  // An interrupted command writes nothing (a Ctrl-C during the work before is heard here).
  await beforeWriting(io);
  if (path === STDOUT) {
    if (typeof content === 'string') io.stdout(content);
    else if (io.stdoutBytes) io.stdoutBytes(content);
    else throw new DosekitError('E_USAGE', 'this standard output takes no binary data; give a file instead of -.');
    return;
  }
  await writeFileSafely(path, content, rules);
  if (note !== null) io.stderr(`wrote ${path}${note}\n`);
}
