// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError, isDosekitError } from '../errors.js';
import { parseByteSize } from '../limits.js';
import { VERSION } from '../version.js';
import { runCheck } from './check.js';
import { runBatch } from './batch.js';
import { runDvh } from './dvh.js';
import { runGpu } from './gpu.js';
import { runInfo } from './info.js';
import { runPhantom } from './phantom.js';
import { runSum } from './sum.js';
import { type CliIo, processIo } from './io.js';

const COMMANDS: Record<string, { summary: string; run: (argv: readonly string[], io: CliIo) => Promise<number> }> = {
  info: { summary: 'describe DICOM RT files (structures, dose grid, plan, image)', run: runInfo },
  dvh: { summary: 'dose-volume histograms of an RT Structure Set and an RT Dose', run: runDvh },
  check: { summary: "check an RT Dose's stored DVHs (the planning system's) against dosekit's: DVH-gamma and differences", run: runCheck },
  batch: { summary: 'DVH statistics of every RT Dose under some folders (a cohort), one CSV or JSON row per dose and ROI', run: runBatch },
  sum: { summary: 'sum RT Doses (weighted; resampled onto the first grid where they differ) into a new RT Dose', run: runSum },
  phantom: { summary: 'write analytical DVH phantoms (DICOM files and their exact DVHs)', run: runPhantom },
  gpu: { summary: "show the WebGPU adapter dosekit finds, what 'auto' would use, and the device limits", run: runGpu },
};

/** DOSEKIT_DEBUG set: print stack traces of internal errors. Deno without --allow-env refuses the read; that means no. */
function debugRequested(): boolean {
  try {
    return Boolean(process.env.DOSEKIT_DEBUG);
  } catch {
    return false;
  }
}

function mainHelp(): string {
  const lines = [`dosekit ${VERSION}: radiotherapy dose analysis (DICOM RT, DVHs) on WebGPU and the CPU`, '', 'Usage: dosekit <command> [options]', '', 'Commands:'];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${command.summary}`);
  lines.push('', 'Global option (any command):', '  --max-memory SIZE  memory ceiling, e.g. 8G (default 4G, or DOSEKIT_MAX_MEMORY): larger inputs or sums are refused with E_TOO_LARGE up front', '', 'Run `dosekit <command> --help` for the options of a command.', '');
  return lines.join('\n');
}

/**
 * Removes `--max-memory SIZE` (or `--max-memory=SIZE`) from the arguments and puts the ceiling in
 * DOSEKIT_MAX_MEMORY, where the library (and batch's worker threads) read it.
 */
function takeMaxMemory(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const inline = arg.startsWith('--max-memory=') ? arg.slice('--max-memory='.length) : undefined;
    if (arg !== '--max-memory' && inline === undefined) {
      out.push(arg);
      continue;
    }
    const value = inline ?? argv[(i += 1)];
    if (value === undefined) throw new DosekitError('E_USAGE', '--max-memory needs a size, e.g. --max-memory 8G.');
    process.env.DOSEKIT_MAX_MEMORY = String(parseByteSize(value));
  }
  return out;
}

/** The exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells expect. */
export const INTERRUPTED_EXIT_CODE = 130;
/** After Ctrl-C, the longest wait for the work to stop before the process exits anyway. */
const INTERRUPT_GRACE_MS = 1000;

/**
 * Runs the command line as the `dosekit` process: Ctrl-C aborts the running command (its
 * calculation stops at the next checkpoint, no output file is written, since outputs are only
 * ever renamed into place when complete) and the process exits with 130; if the work has not
 * stopped within a second, or on a second Ctrl-C, it exits at once.
 */
export async function runProcess(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  const onInterrupt = (): void => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    controller.abort(new DOMException('interrupted (Ctrl-C)', 'AbortError'));
    setTimeout(() => process.exit(INTERRUPTED_EXIT_CODE), INTERRUPT_GRACE_MS).unref();
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await main(argv, { ...processIo(), signal: controller.signal });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/**
 * Runs the dosekit command line with `argv` (without the node and script paths).
 * Returns the exit code; never throws for bad input (errors print as `error E_CODE: message`).
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let command: string | undefined;
  let rest: string[];
  try {
    [command, ...rest] = takeMaxMemory(argv);
  } catch (error) {
    if (!isDosekitError(error)) throw error;
    io.stderr(`error ${error.code}: ${error.message}\n`);
    return 1;
  }
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(mainHelp());
    return command ? 0 : 1;
  }
  if (command === '--version' || command === '-v') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    io.stderr(`error E_USAGE: unknown command "${command}"; commands are ${Object.keys(COMMANDS).join(', ')}.\n`);
    return 1;
  }
  try {
    return await entry.run(rest, io);
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name === 'AbortError') {
      io.stderr('interrupted; nothing was written\n');
      return INTERRUPTED_EXIT_CODE;
    }
    if (isDosekitError(error)) {
      io.stderr(`error ${error.code}: ${error.message}\n`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`error E_INTERNAL: ${message} (this is a dosekit bug; please report it with the command line)\n`);
    if (debugRequested()) io.stderr(`${(error as Error).stack ?? ''}\n`);
    return 1;
  }
}
