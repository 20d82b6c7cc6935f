#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// The fuzz and fault suite of test/fuzz at length: the same families and case generators
// (test/fuzz/lib), with many more random cases, run against the built CLI. Run from a built tree:
//   npm run build && node bench/fuzz-long.mjs [--cases 2000] [--seed N] [--family headers,pixels] [--jobs 2]
// --cases is the number of random cases per family (the fixed cases of each family run too).
// Prints a table (family, cases, failures, worst wall time, worst CPU time, worst peak RSS), every
// failure with the command that reproduces it, writes bench/results/fuzz-long.json, and exits 1
// when any case failed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { FAMILIES, cleanupFamily, familyCases, prepareFamily, runCase, suiteSeed } from '../test/fuzz/lib/index.mjs';
import { machine } from './lib/stats.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
}
const seed = Number(option('seed', String(suiteSeed())));
const count = Number(option('cases', '200'));
const jobs = Math.max(1, Number(option('jobs', '2')));
const families = option('family', Object.keys(FAMILIES).join(',')).split(',');
if (!Number.isInteger(seed) || seed < 0 || !Number.isInteger(count) || count < 0) {
  console.error('usage: node bench/fuzz-long.mjs [--cases N] [--seed N] [--family a,b] [--jobs J]');
  process.exit(2);
}

const rows = [];
const failures = [];
const started = performance.now();
for (const family of families) {
  if (!FAMILIES[family]) throw new Error(`no fuzz family "${family}" (families: ${Object.keys(FAMILIES).join(', ')})`);
  await prepareFamily(family);
  const cases = familyCases(family, { seed, count, only: process.env.FUZZ_ONLY });
  const row = { family, cases: cases.length, failures: 0, worstWallMs: 0, worstCpuMs: 0, worstRssMiB: 0, worstCase: '' };
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const kase = cases[next];
      next += 1;
      const { failures: found, result } = await runCase(kase);
      if (result) {
        if (result.elapsedMs > row.worstWallMs) {
          row.worstWallMs = result.elapsedMs;
          row.worstCase = kase.id;
        }
        row.worstCpuMs = Math.max(row.worstCpuMs, result.cpuMs ?? 0);
        row.worstRssMiB = Math.max(row.worstRssMiB, (result.rssKiB ?? 0) / 1024);
      }
      if (found.length > 0) {
        row.failures += 1;
        failures.push(...found);
        process.stderr.write(`FAIL ${kase.id}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  await cleanupFamily(family);
  rows.push(row);
  process.stderr.write(`${family}: ${row.cases} cases, ${row.failures} failed\n`);
}
const seconds = (performance.now() - started) / 1000;

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/fuzz-long.json', import.meta.url), `${JSON.stringify({ machine: machine(), seed, randomCasesPerFamily: count, jobs, seconds, families: rows, failures }, null, 2)}\n`);

console.log(`\nFuzz and fault suite, seed ${seed}, ${count} random cases per family, ${jobs} at a time, ${seconds.toFixed(0)} s\n`);
console.log('| family | cases | failures | worst wall time | worst CPU time | worst peak RSS | slowest case |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.family} | ${r.cases} | ${r.failures} | ${(r.worstWallMs / 1000).toFixed(2)} s | ${(r.worstCpuMs / 1000).toFixed(2)} s | ${r.worstRssMiB.toFixed(0)} MiB | ${r.worstCase} |`);
}
if (failures.length > 0) {
  console.log(`\n${failures.length} failing case(s):\n`);
  for (const f of failures) console.log(`${f}\n`);
  process.exit(1);
}
