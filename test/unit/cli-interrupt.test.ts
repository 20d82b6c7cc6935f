// SPDX-License-Identifier: BSD-3-Clause
// Ctrl-C in the CLI: SIGINT during a long calculation stops it, the process exits with 130 within
// a second, and no output file (nor a temporary one) is left behind. Runs the built bin.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { buildTestCohort } from '../helpers/cohort.js';
import { TransferSyntax, makeSyntheticDose, syntheticStructureSetDataset, writeDataset } from '../helpers/dicom-writer.js';

/** The synthetic structure set and dose in a new folder; BODY's third contour has its second vertex at x = `farMm`. */
function farVertexCase(farMm: number): { dir: string; rtss: string; rtdose: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dosekit-interrupt-'));
  const dataset = syntheticStructureSetDataset();
  (dataset.ROIContourSequence as { ContourSequence: { ContourData: number[] }[] }[])[0].ContourSequence[2].ContourData[3] = farMm;
  const rtss = join(dir, 'rtss.dcm');
  const rtdose = join(dir, 'rtdose.dcm');
  writeFileSync(rtss, writeDataset(dataset, TransferSyntax.ExplicitVRLittleEndian));
  writeFileSync(rtdose, makeSyntheticDose());
  return { dir, rtss, rtdose };
}

/** Every file of `dir` and its sub-folders, relative. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1));
}

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
  it('`dosekit dvh` (precise) with a contour vertex 9 m away (allowed) finishes quickly, or stops within a second', async () => {
    const { dir, rtss, rtdose } = farVertexCase(9000);
    const result = await interrupt(['dvh', '--rtss', rtss, '--rtdose', rtdose, '--algorithm', 'precise', '--backend', 'cpu', '--out', join(dir, 'dvhs.json'), '--format', 'json'], 3000);
    if (result.exitedBefore) {
      expect(result.code).toBe(0);
      expect(existsSync(join(dir, 'dvhs.json'))).toBe(true);
    } else {
      expect(result.code).toBe(130);
      expect(result.exitMs).toBeLessThan(1000);
      expect(existsSync(join(dir, 'dvhs.json'))).toBe(false);
    }
  }, 60_000);

  it('`dosekit dvh` (precise) with a contour vertex 1e10 mm away refuses that ROI at once instead of hanging', async () => {
    const { dir, rtss, rtdose } = farVertexCase(1e10);
    const out = join(dir, 'dvhs.json');
    const result = await interrupt(['dvh', '--rtss', rtss, '--rtdose', rtdose, '--algorithm', 'precise', '--backend', 'cpu', '--out', out, '--format', 'json'], 20_000);
    expect(result.exitedBefore).toBe(true);
    const { readFileSync } = await import('node:fs');
    const json = JSON.parse(readFileSync(out, 'utf8')) as { dvhs: { roi: number }[]; errors: { roi: number; code: string }[] };
    expect(json.dvhs.map((d) => d.roi)).toEqual([2]);
    expect(json.errors).toMatchObject([{ roi: 1, code: 'E_MALFORMED_DICOM' }]);
  }, 60_000);

  it('stops `dosekit phantom --suite` (synchronous writes give the event loop no turn) within a second, leaving whole phantoms only', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'dosekit-interrupt-')), 'phantoms');
    const result = await interrupt(['phantom', '--suite', '-o', out], 1500);
    expect(result.exitedBefore).toBe(false);
    expect(result.code).toBe(130);
    expect(result.exitMs).toBeLessThan(1000);
    const files = existsSync(out) ? filesUnder(out) : [];
    // No temporary file, and every phantom folder holds all three files.
    const folders = new Set(files.map((f) => f.split(/[\\/]/)[0]));
    for (const folder of folders) expect(files.filter((f) => f.startsWith(`${folder}/`)).sort()).toEqual([`${folder}/rtdose.dcm`, `${folder}/rtss.dcm`, `${folder}/truth.json`]);
  }, 60_000);

  it('stops `dosekit sum` of many doses within a second, writing nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dosekit-interrupt-'));
    // Enough doses that the sum is still running at the signal on a fast, idle machine (30 took 1.4 s).
    const doses = Array.from({ length: 200 }, () => 'examples/rtdose_substitute.dcm');
    const result = await interrupt(['sum', ...doses, '-o', join(out, 'sum.dcm'), '--backend', 'cpu'], 1500);
    expect(result.exitedBefore).toBe(false);
    expect(result.code).toBe(130);
    expect(result.exitMs).toBeLessThan(1000);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);

  it('stops `dosekit info` over many files within a second', async () => {
    const result = await interrupt(['info', ...Array.from({ length: 60 }, () => 'examples/rtss.dcm')], 1500);
    expect(result.exitedBefore).toBe(false);
    expect(result.code).toBe(130);
    expect(result.exitMs).toBeLessThan(1000);
  }, 60_000);

  it('stops `dosekit batch --jobs 1` (the calculation in this thread) within a second, writing nothing', async () => {
    const cohort = buildTestCohort();
    const out = mkdtempSync(join(tmpdir(), 'dosekit-interrupt-'));
    const result = await interrupt(['batch', cohort.root, '--jobs', '1', '--algorithm', 'precise', '--backend', 'cpu', '-o', join(out, 'all.csv')], 1500);
    expect(result.exitedBefore).toBe(false);
    expect(result.code).toBe(130);
    expect(result.exitMs).toBeLessThan(1000);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);
});
