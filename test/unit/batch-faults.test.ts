// SPDX-License-Identifier: BSD-3-Clause
// `dosekit batch`: a failure of any kind in one dose (a DosekitError, an internal error, a worker
// thread that dies) becomes that dose's rows; the cohort always finishes and writes its output.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CohortEntry } from '../../src/cohort/pair.js';
import { runDoses } from '../../src/cli/batch-pool.js';
import type { BatchSettings } from '../../src/cli/batch-rows.js';
import { runCli } from '../helpers/cli.js';
import { type TestCohort, buildTestCohort } from '../helpers/cohort.js';
import { rewriteDicom, setElement } from '../helpers/dicom-rewrite.js';

const NO_SCHEDULER = { SLURM_ARRAY_TASK_ID: '', SLURM_ARRAY_TASK_COUNT: '', SLURM_ARRAY_TASK_MIN: '', SLURM_ARRAY_TASK_STEP: '', JOB_COMPLETION_INDEX: '' };

let cohort: TestCohort;
let out: string;

/** Rows of a batch JSON output. */
function rowsOf(path: string): Record<string, unknown>[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { rows: Record<string, unknown>[] }).rows;
}

beforeAll(() => {
  cohort = buildTestCohort();
  out = mkdtempSync(join(tmpdir(), 'dosekit-batch-faults-'));
  // P002's dose with a DoseGridScaling of 1e6 instead of 1.4e-5: its stored integers (up to
  // 1.05e6) become a maximum of 1e12 Gy (1.8e11 Gy in the Heart), which no real dose has; a
  // histogram in 1 cGy bins up to there cannot even be allocated.
  const path = cohort.files.rtdose('P002');
  writeFileSync(path, rewriteDicom(readFileSync(path), (uid) => uid, (dict) => setElement(dict, '3004000E', 'DS', '1000000')));
});

afterAll(() => {
  rmSync(dirname(cohort.root), { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

describe('batch: one failing dose never stops the cohort', () => {
  it.each([1, 2])('a dose with an absurd maximum is an error row with --jobs %i; every other dose is calculated, exit code 2', (jobs) => {
    const target = join(out, `jobs-${jobs}.json`);
    const run = runCli(['batch', cohort.root, '--rois', 'Heart', '--algorithm', 'dicompyler', '--backend', 'cpu', '--jobs', String(jobs), '-o', target], { env: NO_SCHEDULER });
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.code, run.stderr).toBe(2);
    const rows = rowsOf(target);
    const bad = rows.filter((r) => r.rtdose === cohort.files.rtdose('P002'));
    expect(bad).toHaveLength(1);
    expect(String(bad[0].error), JSON.stringify(bad[0])).toMatch(/^(E_INTERNAL|E_IMPLAUSIBLE_DOSE|E_TOO_LARGE): /);
    // The other six paired doses have their Heart row, calculated.
    const good = rows.filter((r) => r.rtdose !== cohort.files.rtdose('P002') && r.rtdose !== cohort.files.orphan);
    expect(good).toHaveLength(6);
    for (const row of good) expect(row).toMatchObject({ name: 'Heart', error: null, meanGy: expect.any(Number) });
  }, 120_000);
});

describe('batch worker pool', () => {
  const settings: BatchSettings = { stats: ['D95'], algorithm: 'dicompyler', backend: 'cpu' };
  const entries = Array.from({ length: 6 }, (_, k) => ({
    patientId: `P${k}`,
    studyInstanceUid: `1.2.${k}`,
    rtdose: { path: `/cohort/P${k}/rtdose.dcm`, sopInstanceUid: `1.2.${k}.1` },
    rtss: { path: `/cohort/P${k}/rtss.dcm`, sopInstanceUid: `1.2.${k}.2` },
    pairing: 'plan',
  })) as unknown as CohortEntry[];

  /**
   * A stand-in worker speaking the pool's protocol: it answers each dose with one row, except
   * that it dies (process.exit in the thread, or an uncaught exception) on doses 1 and 4.
   */
  function crashingWorker(how: 'exit' | 'throw'): URL {
    const script = join(out, `crashing-worker-${how}.mjs`);
    writeFileSync(
      script,
      [
        "import { parentPort } from 'node:worker_threads';",
        'parentPort.on("message", ({ index, entry }) => {',
        how === 'exit' ? '  if (index === 1 || index === 4) process.exit(7);' : '  if (index === 1 || index === 4) throw new RangeError("Invalid typed array length: 1e12");',
        '  parentPort.postMessage({ index, outcome: { backend: "cpu", rows: [{ patientId: entry.patientId, rtdose: entry.rtdose.path, error: null }] } });',
        '});',
      ].join('\n'),
    );
    return pathToFileURL(script);
  }

  it.each(['exit', 'throw'] as const)('a worker that dies (%s) is replaced and its dose is an E_INTERNAL row; the other doses finish', async (how) => {
    const done: number[] = [];
    const outcomes = await runDoses(entries, settings, 2, undefined, () => done.push(1), { workerScript: crashingWorker(how) });
    expect(done).toHaveLength(6);
    expect(outcomes).toHaveLength(6);
    outcomes.forEach((outcome, k) => {
      expect(outcome.rows).toHaveLength(1);
      expect(outcome.rows[0].rtdose).toBe(`/cohort/P${k}/rtdose.dcm`);
      if (k === 1 || k === 4) {
        expect(outcome.rows[0].error).toMatch(/^E_INTERNAL: .*\/cohort\/P\d\/rtdose\.dcm/);
        expect(outcome.rows[0].patientId).toBe(`P${k}`);
      } else expect(outcome.rows[0].error).toBeNull();
    });
  }, 60_000);
});
