// SPDX-License-Identifier: BSD-3-Clause
// `dosekit batch --shard` writes a manifest beside each shard (cohort, I/N, doses, rows, sha256 of
// the rows); `--merge` checks every shard against it and refuses a damaged one, writing nothing.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type TestCohort, buildTestCohort } from '../helpers/cohort.js';

const NO_SCHEDULER = { SLURM_ARRAY_TASK_ID: '', SLURM_ARRAY_TASK_COUNT: '', SLURM_ARRAY_TASK_MIN: '', SLURM_ARRAY_TASK_STEP: '', JOB_COMPLETION_INDEX: '' };

let cohort: TestCohort;
let out: string;
let options: string[];
const at = (name: string) => join(out, name);
const csvShards = [0, 1, 2].map((i) => `shard-${i}.csv`);
const jsonShards = [0, 1].map((i) => `shard-${i}.json`);

function batch(args: readonly string[]) {
  return runCli(['batch', ...args], { env: NO_SCHEDULER });
}

/** A copy of the shards in a fresh folder (manifests included), with `damage` applied to shard 1's text. */
function damagedSet(name: string, shards: readonly string[], damage: (text: string) => string, keepManifest = true): string[] {
  return shards.map((shard, i) => {
    const copy = at(`${name}-${shard}`);
    const text = readFileSync(at(shard), 'utf8');
    writeFileSync(copy, i === 1 ? damage(text) : text);
    if (i !== 1 || keepManifest) copyFileSync(at(`${shard}.manifest.json`), `${copy}.manifest.json`);
    return copy;
  });
}

beforeAll(() => {
  cohort = buildTestCohort();
  out = mkdtempSync(join(tmpdir(), 'dosekit-shard-manifest-'));
  options = [cohort.root, '--rois', 'Heart,tumor bed', '--algorithm', 'dicompyler', '--backend', 'cpu'];
  expect(batch([...options, '-o', at('all.csv')]).code).toBe(2);
  csvShards.forEach((path, i) => expect(batch([...options, '--shard', `${i}/3`, '-o', at(path)]).code).toBe(2));
  expect(batch([...options, '-o', at('all.json')]).code).toBe(2);
  jsonShards.forEach((path, i) => expect(batch([...options, '--shard', `${i}/2`, '-o', at(path)]).code).toBe(2));
}, 180_000);

afterAll(() => {
  rmSync(dirname(cohort.root), { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

describe('shard manifests', () => {
  it('each shard has a manifest: cohort, I/N, its doses (floor(I·8/3)..floor((I+1)·8/3)), its data rows and their sha256', () => {
    const text = readFileSync(at('shard-1.csv'), 'utf8');
    const lines = text.split('\n');
    const data = lines.slice(2).join('\n'); // after the shard line and the header
    const manifest = JSON.parse(readFileSync(at('shard-1.csv.manifest.json'), 'utf8'));
    const cohortId = /cohort ([0-9a-f]+)/.exec(lines[0])![1];
    // Shard 1 of 3 of the 8 doses: doses 2, 3, 4 (floor(8/3) = 2 to floor(16/3) = 5), 2 ROI rows each.
    expect(manifest).toMatchObject({ output: 'csv', shard: { index: 1, count: 3, doses: 8, cohort: cohortId }, shardDoses: 3, rows: 6 });
    expect(manifest.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(data.trimEnd().split('\n')).toHaveLength(6);
  });

  it('intact shards merge into the unsharded output; the message counts what was written', () => {
    const merged = runCli(['batch', '--merge', ...csvShards.map(at), '-o', at('merged.csv')]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(readFileSync(at('merged.csv'), 'utf8')).toBe(readFileSync(at('all.csv'), 'utf8'));
    // 7 paired doses x 2 ROIs + the orphan's row.
    expect(merged.stderr).toBe(`merged 3 shards (8 doses, 15 rows) into ${at('merged.csv')}\n`);
    expect(runCli(['batch', '--merge', ...jsonShards.map(at), '-o', at('merged.json')]).code).toBe(0);
    expect(readFileSync(at('merged.json'), 'utf8')).toBe(readFileSync(at('all.json'), 'utf8'));
  });

  const lastRow = (text: string) => text.replace(/[^\n]*\n$/, '');
  it.each([
    ['a row removed', (t: string) => lastRow(t), /it has 5 data rows, but its manifest says shard 1\/3 .* 6 rows: 1 removed/],
    ['a row added', (t: string) => `${t}${t.split('\n')[3]}\n`, /it has 7 data rows, .*: 1 added/],
    ['a value edited', (t: string) => t.replace(/,Heart,(\d)/, (_, d) => `,Heart,${(Number(d) + 1) % 10}`), /its rows were changed after they were written \(sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}\)/],
    ['the file truncated', (t: string) => t.slice(0, t.length - 25), /it is truncated/],
    ['the shard line edited', (t: string) => t.replace(/^# dosekit batch shard 1\/3/, '# dosekit batch shard 2/3'), /it says shard 2\/3 .* but its manifest says shard 1\/3/],
  ])('CSV, %s: E_SHARD_DAMAGED naming the shard and what differs, nothing written', (name, damage, message) => {
    const files = damagedSet(name.replace(/ /g, '-'), csvShards, damage);
    const target = at(`${name.replace(/ /g, '-')}-merged.csv`);
    const run = runCli(['batch', '--merge', ...files, '-o', target]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error E_SHARD_DAMAGED: ${files[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(run.stderr).toMatch(message);
    expect(existsSync(target)).toBe(false);
  });

  it('CSV, the manifest missing: E_SHARD_DAMAGED naming the shard and its manifest', () => {
    const files = damagedSet('no-manifest', csvShards, (t) => t, false);
    const run = runCli(['batch', '--merge', ...files, '-o', at('no-manifest-merged.csv')]);
    expect(run.stderr).toMatch(/^error E_SHARD_DAMAGED: .*no-manifest-shard-1\.csv: its manifest .*no-manifest-shard-1\.csv\.manifest\.json is missing/);
    expect(existsSync(at('no-manifest-merged.csv'))).toBe(false);
  });

  it.each([
    ['a row removed', (t: string) => JSON.stringify({ ...JSON.parse(t), rows: JSON.parse(t).rows.slice(1) }), /it has \d+ data rows, .*: 1 removed/],
    ['a value edited', (t: string) => t.replace(/"volumeCm3":(\d)/, (_, d) => `"volumeCm3":${(Number(d) + 1) % 10}`), /its rows were changed after they were written/],
    ['the file truncated', (t: string) => t.slice(0, t.length - 40), /it is truncated/],
  ])('JSON, %s: E_SHARD_DAMAGED, nothing written', (name, damage, message) => {
    const files = damagedSet(`json-${name.replace(/ /g, '-')}`, jsonShards, damage);
    const target = at(`json-${name.replace(/ /g, '-')}-merged.json`);
    const run = runCli(['batch', '--merge', ...files, '-o', target]);
    expect(run.stderr).toMatch(/^error E_SHARD_DAMAGED: .*json-.*shard-1\.json: /);
    expect(run.stderr).toMatch(message);
    expect(existsSync(target)).toBe(false);
  });
});
