// SPDX-License-Identifier: BSD-3-Clause

/** Where a command writes: injectable so tests and embedders can capture output. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly isTerminal: boolean;
  /** Fires when the user interrupts (Ctrl-C); commands pass it to long work. */
  readonly signal?: AbortSignal;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTerminal: Boolean(process.stderr.isTTY),
  };
}
