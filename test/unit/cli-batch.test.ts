// SPDX-License-Identifier: BSD-3-Clause
// `dosekit batch` on a small cohort (test/helpers/cohort.ts), through the built bin.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculateDvhs } from '../../src/index.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { type TestCohort, buildTestCohort } from '../helpers/cohort.js';

const HEADER = 'patientId,studyInstanceUid,rtdose,rtss,roi,name,volumeCm3,minGy,meanGy,maxGy,D98,D95,D50,D2,D2cc,D0.03cc,algorithm,backend,error,pairing';
/** Scheduler variables cleared, so that the tests do not depend on where they run. */
const NO_SCHEDULER = { SLURM_ARRAY_TASK_ID: '', SLURM_ARRAY_TASK_COUNT: '', SLURM_ARRAY_TASK_MIN: '', SLURM_ARRAY_TASK_STEP: '', JOB_COMPLETION_INDEX: '' };

let cohort: TestCohort;
let out: string;
/** The options of every run compared byte for byte. */
let common: string[];
const file = (name: string) => join(out, name);

function batch(args: readonly string[], env: Record<string, string> = {}) {
  return runCli(['batch', ...args], { env: { ...NO_SCHEDULER, ...env } });
}

/** A CSV line's fields (the test data has quotes only in the error column). */
function fields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

function rowsOf(text: string): Record<string, string>[] {
  const lines = text.trimEnd().split('\n').filter((l) => !l.startsWith('#'));
  const names = fields(lines[0]);
  return lines.slice(1).map((line) => Object.fromEntries(fields(line).map((v, k) => [names[k], v])));
}

beforeAll(() => {
  cohort = buildTestCohort();
  out = mkdtempSync(join(tmpdir(), 'dosekit-batch-out-'));
  common = [cohort.root, '--rois', 'Heart,tumor bed', '--algorithm', 'dicompyler', '--backend', 'cpu'];
});

afterAll(() => {
  rmSync(dirname(cohort.root), { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

/** The unsharded run into all.csv, made once by whichever test needs it first: its exit code, standard error and output. */
let unsharded: { code: number; stderr: string; text: string } | undefined;
function unshardedRun(): { code: number; stderr: string; text: string } {
  if (!unsharded) {
    const { code, stderr } = batch([...common, '-o', file('all.csv')]);
    unsharded = { code, stderr, text: existsSync(file('all.csv')) ? readFileSync(file('all.csv'), 'utf8') : '' };
  }
  return unsharded;
}

/** Shards 0..3 of 4 into shard-I.csv, made once by whichever test needs them first: their paths and runs. */
let sharded: { paths: string[]; runs: { code: number; stderr: string }[] } | undefined;
function shardRuns(): { paths: string[]; runs: { code: number; stderr: string }[] } {
  if (!sharded) {
    const paths = [0, 1, 2, 3].map((i) => file(`shard-${i}.csv`));
    sharded = { paths, runs: paths.map((path, i) => batch([...common, '--shard', `${i}/4`, '-o', path])) };
  }
  return sharded;
}

describe('dosekit batch', () => {
  it('one row per (dose, ROI) in cohort order, the unpaired dose and the truncated file reported, exit code 2', () => {
    const { code, stderr, text: reference } = unshardedRun();
    expect(code).toBe(2);
    expect(reference.split('\n')[0]).toBe(HEADER);
    const rows = rowsOf(reference);
    const doses = [...new Set(rows.map((r) => r.rtdose))];
    const { files } = cohort;
    expect(doses).toEqual([files.rtdose('P001'), files.rtdose('P002'), files.boost, files.rtdose('P003'), files.rtdose('P004'), files.ownReference, files.rtdose('P005'), files.orphan]);
    expect(rows).toHaveLength(7 * 2 + 1);
    for (const dose of doses.slice(0, 7)) {
      const mine = rows.filter((r) => r.rtdose === dose);
      expect(mine.map((r) => [r.roi, r.name, r.error, r.algorithm, r.backend])).toEqual([
        ['5', 'Heart', '', 'dicompyler', 'cpu'],
        ['9', 'Tumor Bed', '', 'dicompyler', 'cpu'],
      ]);
    }
    expect(rows.filter((r) => r.name).map((r) => r.pairing)).toEqual(['plan', 'plan', 'plan', 'plan', 'frame-of-reference', 'frame-of-reference', 'plan', 'plan', 'plan', 'plan', 'dose-reference', 'dose-reference', 'plan', 'plan']);
    const orphan = rows[14];
    expect(orphan).toMatchObject({ patientId: 'P006', rtss: '', roi: '', name: '', volumeCm3: '', pairing: '' });
    expect(orphan.error).toMatch(/^E_UNPAIRED_DOSE: .*orphans\/P006\/rtdose\.dcm: no RT Structure Set was found/);
    expect(reference).not.toContain('.hidden');
    expect(stderr).toContain(`skipped E_MALFORMED_DICOM: ${files.truncated}: the file ends within its PixelData`);
    expect(stderr).toContain(`skipped E_UNPAIRED_DOSE: ${files.orphan}`);
    expect(stderr).toMatch(/files read 25 \(skipped 1 non-DICOM\), doses 8 \(unpaired 1\), ROIs 14, failures 2, \d+\.\d s, backend cpu\n/);
  });

  it('the numbers are those of calculateDvhs for the same pair, in the fixed number format', async () => {
    const rows = rowsOf(unshardedRun().text);
    for (const [rtss, rtdose] of [
      [cohort.files.rtss('P001'), cohort.files.rtdose('P001')],
      [cohort.files.rtss('P003'), cohort.files.boost],
    ]) {
      const result = await calculateDvhs(rtss, rtdose, { algorithm: 'dicompyler', backend: 'cpu', rois: [5, 9] });
      for (const { roi, dvh } of result.dvhs) {
        const row = rows.find((r) => r.rtdose === rtdose && r.roi === String(roi))!;
        expect(row.rtss).toBe(rtss);
        const expected: Record<string, number> = { volumeCm3: dvh.volume, minGy: dvh.min, meanGy: dvh.mean, maxGy: dvh.max };
        for (const stat of ['D98', 'D95', 'D50', 'D2', 'D2cc', 'D0.03cc']) expected[stat] = dvh.statistic(stat).value;
        for (const [column, value] of Object.entries(expected)) {
          expect(row[column]).toMatch(/^-?\d+(\.\d{0,5}[1-9])?$/);
          expect(Math.abs(Number(row[column]) - value)).toBeLessThanOrEqual(5e-7 + 1e-12);
        }
      }
    }
  });

  it('--jobs 2 writes the same bytes as --jobs 1', () => {
    expect(batch([...common, '--jobs', '2', '-o', file('jobs2.csv')]).code).toBe(2);
    expect(readFileSync(file('jobs2.csv'), 'utf8')).toBe(unshardedRun().text);
  });

  it('shards 0..3 of 4, merged, are byte-identical to the unsharded output; a missing, duplicate or foreign shard is refused', () => {
    const { paths: shards, runs } = shardRuns();
    runs.forEach((run, i) => {
      expect(run.code).toBe(2); // every shard sees the truncated file
      expect(run.stderr).toContain(`, shard ${i}/4 of 8 doses)`);
    });
    const reference = unshardedRun().text;
    const first = readFileSync(shards[0], 'utf8').split('\n');
    expect(first[0]).toMatch(/^# dosekit batch shard 0\/4 of 8 doses, cohort [0-9a-f]{12}$/);
    expect(first[1]).toBe(HEADER);
    const merged = runCli(['batch', '--merge', ...shards, '-o', file('merged.csv')]);
    expect(merged.code).toBe(0);
    expect(readFileSync(file('merged.csv'), 'utf8')).toBe(reference);

    const missing = runCli(['batch', '--merge', shards[0], shards[1], shards[3], '-o', file('missing.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error E_SHARD_MISSING: shard 2\/4 of cohort [0-9a-f]+ is missing \(given: 0, 1, 3\)/);
    const duplicate = runCli(['batch', '--merge', ...shards, shards[2], '-o', file('duplicate.csv')]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/^error E_SHARD_DUPLICATE: shard 2\/4 is given twice/);
    const foreign = file('foreign.csv');
    writeFileSync(foreign, readFileSync(shards[3], 'utf8').replace(/cohort [0-9a-f]+/, 'cohort 000000000000'));
    // With its manifest, edited alike: intact as a shard, but of another cohort.
    writeFileSync(`${foreign}.manifest.json`, readFileSync(`${shards[3]}.manifest.json`, 'utf8').replace(/"cohort": "[0-9a-f]+"/, '"cohort": "000000000000"'));
    const mismatch = runCli(['batch', '--merge', shards[0], shards[1], shards[2], foreign, '-o', file('mismatch.csv')]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/^error E_SHARD_MISMATCH: .*foreign\.csv/);
    expect(runCli(['batch', '--merge', file('all.csv'), '-o', file('x.csv')]).stderr).toMatch(/^error E_SHARD_MISMATCH: .*not a dosekit batch shard output/);
    expect(['missing.csv', 'duplicate.csv', 'mismatch.csv', 'x.csv'].some((f) => existsSync(file(f)))).toBe(false);
  });

  it('--shard auto takes the shard from Slurm (minus SLURM_ARRAY_TASK_MIN) or a Kubernetes Indexed Job, and fails clearly without either', () => {
    const { paths: shards } = shardRuns();
    expect(batch([...common, '--shard', 'auto', '-o', file('slurm.csv')], { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' }).code).toBe(2);
    expect(readFileSync(file('slurm.csv'), 'utf8')).toBe(readFileSync(shards[1], 'utf8'));
    expect(batch([...common, '--shard', 'auto', '--shard-count', '4', '-o', file('k8s.csv')], { JOB_COMPLETION_INDEX: '3' }).code).toBe(2);
    expect(readFileSync(file('k8s.csv'), 'utf8')).toBe(readFileSync(shards[3], 'utf8'));

    const neither = batch([...common, '--shard', 'auto', '-o', file('none.csv')]);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toMatch(/^error E_USAGE: --shard auto found no scheduler: set SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT .* JOB_COMPLETION_INDEX with --shard-count N/);
    const noCount = batch([...common, '--shard', 'auto', '-o', file('none.csv')], { JOB_COMPLETION_INDEX: '0' });
    expect(noCount.stderr).toMatch(/^error E_USAGE: JOB_COMPLETION_INDEX is set .* --shard-count is missing/);
    expect(batch([...common, '--shard', '4/4', '-o', file('none.csv')]).stderr).toMatch(/^error E_USAGE: --shard 4\/4: shard 4 does not exist in 4 shards/);
    expect(existsSync(file('none.csv'))).toBe(false);
  });

  it('JSON output parses: version, stats, rows with numbers as numbers, missing ROIs as E_ROI_NOT_FOUND rows, problems', () => {
    const run = batch([cohort.root, '--rois', 'Heart,Spleen', '--stats', 'D95,V1Gy,Dmean', '--backend', 'cpu', '-o', file('all.json')]);
    expect(run.code).toBe(2);
    const json = JSON.parse(readFileSync(file('all.json'), 'utf8'));
    expect(json).toMatchObject({ dosekit: expect.any(String), algorithm: 'precise', stats: ['D95', 'V1Gy', 'Dmean'] });
    expect(json.rows).toHaveLength(7 * 2 + 1);
    const [heart, spleen] = json.rows;
    expect(heart).toMatchObject({ patientId: 'P001', roi: 5, name: 'Heart', algorithm: 'precise', backend: 'cpu', error: null, pairing: 'plan' });
    for (const key of ['volumeCm3', 'minGy', 'meanGy', 'maxGy', 'D95', 'V1Gy', 'Dmean']) expect(typeof heart[key]).toBe('number');
    expect(heart.Dmean).toBe(heart.meanGy);
    expect(spleen).toMatchObject({ roi: null, name: 'Spleen', volumeCm3: null, D95: null, error: expect.stringMatching(/^E_ROI_NOT_FOUND: .*rtss\.dcm: no ROI named "Spleen"/) });
    expect(json.problems).toEqual([{ path: cohort.files.truncated, code: 'E_MALFORMED_DICOM', message: expect.stringContaining('truncated') }]);

    // Shards in JSON carry a "shard" object; merged, they are the unsharded output.
    const shards = [0, 1].map((i) => file(`shard-${i}.json`));
    shards.forEach((path, i) => expect(batch([cohort.root, '--rois', 'Heart,Spleen', '--stats', 'D95,V1Gy,Dmean', '--backend', 'cpu', '--shard', `${i}/2`, '-o', path]).code).toBe(2));
    expect(JSON.parse(readFileSync(shards[1], 'utf8')).shard).toEqual({ index: 1, count: 2, doses: 8, cohort: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(runCli(['batch', '--merge', shards[1], shards[0], '-o', file('merged.json')]).code).toBe(0);
    expect(readFileSync(file('merged.json'), 'utf8')).toBe(readFileSync(file('all.json'), 'utf8'));
    expect(runCli(['batch', '--merge', ...shards, '-o', file('merged-json.csv')]).stderr).toMatch(/^error E_USAGE: .*is a JSON output but the merged output is CSV/);
  });

  it("the README's library example runs on the examples folder", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const code = /<!-- readme-example:cohort -->\s*```ts\n([\s\S]*?)```/.exec(readme)![1];
    const script = file('readme-example.mjs');
    writeFileSync(script, code.replace("from 'dosekit'", `from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/index.js')).href)}`));
    const run = spawnSync(process.execPath, [script], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^examples\/rtdose_shifted\.dcm plan \d+\.\d{3}\nexamples\/rtdose_substitute\.dcm plan 0\.030\n$/);
  });

  it('usage errors and an existing output are fatal (exit code 1) before any work', () => {
    // all.csv and shard-0.csv exist: the unsharded run's output and a shard.
    unshardedRun();
    shardRuns();
    const exists = batch([...common, '-o', file('all.csv')]);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/^error E_OUTPUT_EXISTS: .*--force/);
    expect(batch([cohort.root, '-o', file('x.txt')]).stderr).toMatch(/^error E_USAGE: --out must end in \.csv or \.json/);
    expect(batch([cohort.root, '-o', file('x.csv'), '--stats', 'V95%']).stderr).toMatch(/^error E_NO_RX_DOSE: --stats V95% /);
    expect(batch([cohort.root, '-o', file('x.csv'), '--jobs', '0']).stderr).toMatch(/^error E_USAGE: --jobs /);
    expect(runCli(['batch', '--merge', file('shard-0.csv'), '--stats', 'D95', '-o', file('x.csv')]).stderr).toMatch(/^error E_USAGE: --merge takes only the shard outputs/);
    expect(batch([join(cohort.root, 'nowhere'), '-o', file('x.csv')]).stderr).toMatch(/^error E_FILE_NOT_FOUND: .*nowhere: no such file or folder/);
    expect(runCli(['--help']).stdout).toMatch(/\n {2}batch {4}DVH statistics/);
  });
});
