// SPDX-License-Identifier: BSD-3-Clause

/** Where a command writes: injectable so tests and embedders can capture output. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Binary data to standard output (`sum -o -`); absent where standard output takes only text. */
  stdoutBytes?(bytes: Uint8Array): void;
  /** Standard error is a terminal (progress bars). */
  readonly isTerminal: boolean;
  /** Standard output is a terminal: binary output to `-` is refused there. */
  readonly stdoutIsTerminal?: boolean;
  /** Fires when the user interrupts (Ctrl-C); commands pass it to long work. */
  readonly signal?: AbortSignal;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutBytes: (bytes) => process.stdout.write(bytes),
    isTerminal: Boolean(process.stderr.isTTY),
    stdoutIsTerminal: Boolean(process.stdout.isTTY),
  };
}
