// SPDX-License-Identifier: BSD-3-Clause
// Runs a small ES module script in a child Node process, for work that may hang, crash the
// process or use a lot of memory on a broken build: the test then fails instead of hanging.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ROOT } from './cli.js';

/** The URL of a module of the built package (dist/src/...), for `import` in a child script. */
export function distModule(path: string): string {
  return pathToFileURL(`${ROOT}dist/src/${path}`).href;
}

/** What {@link runNodeScript} saw. */
export interface ChildResult {
  /** The exit status, or null when the child was killed (timed out, crashed). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock time of the child in milliseconds. */
  readonly elapsedMs: number;
}

/**
 * Runs `source` (an ES module) in a child Node process with `argv` after it, killed after
 * `timeoutMs`. `maxOldSpaceMb` caps the child's JavaScript heap, so that runaway allocation ends
 * the child (with an abort) rather than the machine.
 */
export function runNodeScript(source: string, options: { argv?: readonly string[]; timeoutMs?: number; maxOldSpaceMb?: number; env?: NodeJS.ProcessEnv } = {}): ChildResult {
  const flags = options.maxOldSpaceMb ? [`--max-old-space-size=${options.maxOldSpaceMb}`] : [];
  const started = performance.now();
  const result = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', source, '--', ...(options.argv ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout ?? '', stderr: result.stderr ?? '', elapsedMs: performance.now() - started };
}
