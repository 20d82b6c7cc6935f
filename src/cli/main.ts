// SPDX-License-Identifier: BSD-3-Clause
import { isDosekitError } from '../errors.js';
import { VERSION } from '../version.js';
import { runDvh } from './dvh.js';
import { runGpu } from './gpu.js';
import { runInfo } from './info.js';
import { runPhantom } from './phantom.js';
import { runSum } from './sum.js';
import { type CliIo, processIo } from './io.js';

const COMMANDS: Record<string, { summary: string; run: (argv: readonly string[], io: CliIo) => Promise<number> }> = {
  info: { summary: 'describe DICOM RT files (structures, dose grid, plan, image)', run: runInfo },
  dvh: { summary: 'dose-volume histograms of an RT Structure Set and an RT Dose', run: runDvh },
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
  lines.push('', 'Run `dosekit <command> --help` for the options of a command.', '');
  return lines.join('\n');
}

/**
 * Runs the dosekit command line with `argv` (without the node and script paths).
 * Returns the exit code; never throws for bad input (errors print as `error E_CODE: message`).
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
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
