// SPDX-License-Identifier: BSD-3-Clause
// Ctrl-C in the CLI: SIGINT during a long calculation stops it, the process exits with 130 within
// a second, and no output file (nor a temporary one) is left behind. Runs the built bin.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { buildTestCohort } from '../helpers/cohort.js';

/** Starts the CLI, sends SIGINT after `afterMs`, and reports the exit code, stderr and ms from the signal to the exit. */
function interrupt(args: readonly string[], afterMs: number): Promise<{ code: number | null; stderr: string; exitMs: number; exitedBefore: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/dosekit.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let signalledAt = Number.NaN;
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      signalledAt = performance.now();
      child.kill('SIGINT');
    }, afterMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, exitMs: performance.now() - signalledAt, exitedBefore: Number.isNaN(signalledAt) });
    });
  });
}

describe('Ctrl-C', () => {
  it('stops `dosekit dvh` with exit code 130 within a second, writing nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dosekit-interrupt-'));
    // In-plane supersampling and sub-planes make this take several seconds on the CPU.
    const args = ['dvh', '--rtss', 'examples/rtss.dcm', '--rtdose', 'examples/rtdose_substitute.dcm', '--algorithm', 'dicompyler', '--interp-resolution-mm', '0.3125', '--interp-segments', '4', '--backend', 'cpu'];
    const result = await interrupt([...args, '--out', join(out, 'dvhs.json'), '--format', 'json'], 1500);
    expect(result.exitedBefore).toBe(false);
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted/);
    expect(result.exitMs).toBeLessThan(1000);
    expect(readdirSync(out)).toEqual([]);
  }, 30_000);

  it('stops `dosekit batch --jobs 2` (worker threads) the same way', async () => {
    const cohort = buildTestCohort();
    const out = mkdtempSync(join(tmpdir(), 'dosekit-interrupt-'));
    const args = ['batch', cohort.root, '--jobs', '2', '--algorithm', 'precise', '--backend', 'cpu', '-o', join(out, 'all.csv')];
    const result = await interrupt(args, 1500);
    expect(result.exitedBefore).toBe(false);
    expect(result.code).toBe(130);
    expect(result.exitMs).toBeLessThan(1000);
    expect(existsSync(join(out, 'all.csv'))).toBe(false);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);
});
