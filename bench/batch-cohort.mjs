#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// `dosekit batch` throughput on a generated cohort of small plans (analytical phantoms: one RT
// Structure Set and one RT Dose each), with --jobs 1 and --jobs 2: time, doses per second, and a
// check that both outputs are byte-identical and hold every row. Run from a built tree:
//   npm run build && node bench/batch-cohort.mjs [--plans 200] [--algorithm precise,dicompyler]
// Writes bench/results/batch-cohort.json and prints a Markdown table.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePhantom, phantomFiles, phantomSuite } from '../dist/src/index.js';
import { machine } from './lib/stats.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
}
const PLANS = Number(option('plans', '200'));
const ALGORITHMS = option('algorithm', 'precise,dicompyler').split(',');

const root = mkdtempSync(join(tmpdir(), 'dosekit-batch-bench-'));
const cohort = join(root, 'cohort');
// Coarse specs (2 and 3 mm contours and grids) keep each plan small, as a cohort of small plans is.
const specs = phantomSuite().filter((s) => s.contourSpacingMm >= 2 && s.doseGridMm >= 2);
const started = performance.now();
for (let k = 0; k < PLANS; k += 1) {
  const files = phantomFiles(makePhantom(specs[k % specs.length]));
  const folder = join(cohort, `patient-${String(k).padStart(4, '0')}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'rtss.dcm'), files.rtss);
  writeFileSync(join(folder, 'rtdose.dcm'), files.rtdose);
}
console.error(`generated ${PLANS} plans in ${((performance.now() - started) / 1000).toFixed(1)} s under ${cohort}`);

const rows = [];
for (const algorithm of ALGORITHMS) {
  const outputs = {};
  for (const jobs of [1, 2]) {
    const out = join(root, `${algorithm}-jobs-${jobs}.csv`);
    const t0 = performance.now();
    const run = spawnSync(process.execPath, ['bin/dosekit.js', 'batch', cohort, '--jobs', String(jobs), '--algorithm', algorithm, '--backend', 'cpu', '-o', out], { encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    if (run.status !== 0) throw new Error(`batch --jobs ${jobs} exited ${run.status}: ${run.stderr}`);
    outputs[jobs] = readFileSync(out, 'utf8');
    const dataRows = outputs[jobs].trim().split('\n').length - 1;
    if (dataRows !== PLANS) throw new Error(`expected ${PLANS} rows (one ROI per phantom), got ${dataRows}`);
    rows.push({ algorithm, jobs, seconds, dosesPerSecond: PLANS / seconds, rows: dataRows, identicalToJobs1: outputs[jobs] === outputs[1] });
  }
  if (outputs[1] !== outputs[2]) throw new Error(`${algorithm}: --jobs 2 output differs from --jobs 1`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/batch-cohort.json', `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), plans: PLANS, rows }, null, 2)}\n`);
console.log('| algorithm | --jobs | time (s) | doses/s | rows | output identical to --jobs 1 |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.algorithm} | ${r.jobs} | ${r.seconds.toFixed(1)} | ${r.dosesPerSecond.toFixed(1)} | ${r.rows} | ${r.identicalToJobs1 ? 'yes' : 'NO'} |`);
