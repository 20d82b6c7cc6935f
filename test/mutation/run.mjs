// SPDX-License-Identifier: BSD-3-Clause
// `npm run mutation [-- GROUP ...]`: runs StrykerJS once per group of test/mutation/groups.mjs
// (all groups by default), then sums every group's latest results into reports/mutation/summary.md
// and reports/mutation/survivors.txt. `npm run mutation -- --summary` only sums the results;
// `npm run mutation -- GROUP --only=FILE,FILE` re-runs only those files of the group.
// Exits 1 when the score over all groups' modules is below the target.
//
// Each group's results are kept in the repository (test/mutation/incremental/GROUP.json.gz,
// Stryker's incremental file), so that a run in any clone re-tests only the mutants whose code or
// covering tests changed since, and the summary can be made without running anything.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { MUTATION_GROUPS } from './groups.mjs';

const KEPT = 'test/mutation/incremental';
const kept = (name) => `${KEPT}/${name}.json.gz`;
const local = (name) => `reports/stryker-incremental-${name}.json`;

const TARGET_PERCENT = 85;
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const args = process.argv.slice(2);
const summaryOnly = args.includes('--summary');
// `--only=src/dvh/a.ts,src/dvh/b.ts`: re-run only these files of the group(s); the other files'
// kept results stay as they are.
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',').filter(Boolean);
const names = args.filter((a) => !a.startsWith('--'));
for (const name of names) {
  if (!MUTATION_GROUPS.some((g) => g.name === name)) {
    console.error(`Unknown mutation group "${name}"; the groups are ${MUTATION_GROUPS.map((g) => g.name).join(', ')}.`);
    process.exit(2);
  }
}
const groups = names.length > 0 ? MUTATION_GROUPS.filter((g) => names.includes(g.name)) : MUTATION_GROUPS;

/** Whether `file` is among a group's mutated files (a `dir/*.ts` entry holds the .ts files of dir). */
const mutates = (group, file) => group.mutate.some((m) => m === file || (m.endsWith('/*.ts') && file.startsWith(m.slice(0, -4)) && file.endsWith('.ts') && !file.slice(m.length - 4).includes('/')));
for (const file of only ?? []) {
  if (!groups.some((g) => mutates(g, file))) {
    console.error(`--only: ${file} is not mutated by ${groups.map((g) => g.name).join(', ')}; see test/mutation/groups.mjs.`);
    process.exit(2);
  }
}

if (!summaryOnly) {
  for (const group of groups) {
    console.log(`\n=== mutation group ${group.name}: ${group.why}`);
    if (!existsSync(local(group.name)) && existsSync(kept(group.name))) {
      mkdirSync('reports', { recursive: true });
      writeFileSync(local(group.name), gunzipSync(readFileSync(kept(group.name))));
    }
    const before = existsSync(local(group.name)) ? JSON.parse(readFileSync(local(group.name), 'utf8')) : undefined;
    const files = only?.filter((f) => mutates(group, f));
    if (only && files.length === 0) continue;
    const started = Date.now();
    const run = spawnSync('npx', ['stryker', 'run', ...(files ? ['--mutate', files.join(',')] : [])], { stdio: 'inherit', env: { ...process.env, DOSEKIT_MUTATION_GROUP: group.name } });
    console.log(`=== ${group.name}: exit ${run.status}, ${((Date.now() - started) / 60000).toFixed(1)} min`);
    if (run.status !== 0) process.exit(run.status ?? 1);
    if (files && before) {
      // A run over some files reports only those: the group's other files keep their results.
      const after = JSON.parse(readFileSync(local(group.name), 'utf8'));
      for (const [path, entry] of Object.entries(before.files)) if (!(path in after.files)) after.files[path] = entry;
      writeFileSync(local(group.name), JSON.stringify(after));
    }
    mkdirSync(KEPT, { recursive: true });
    writeFileSync(kept(group.name), gzipSync(readFileSync(local(group.name)), { level: 9 }));
  }
}

/** Counts by status for one source file. */
function countMutants(mutants) {
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0 };
  for (const m of mutants) counts[m.status] = (counts[m.status] ?? 0) + 1;
  return counts;
}

function score(c) {
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  return valid === 0 ? Number.NaN : (100 * detected) / valid;
}

/**
 * Survivors shown to be equivalent (no input tells them from the original), each with its reason:
 * test/mutation/equivalent-mutants.json, matched by file, line, mutator and replacement.
 */
const equivalents = existsSync('test/mutation/equivalent-mutants.json') ? JSON.parse(readFileSync('test/mutation/equivalent-mutants.json', 'utf8')) : [];
const equivalentKey = (file, line, mutator, replacement) => `${file}:${line}:${mutator}:${String(replacement ?? '').replace(/\s+/g, ' ')}`;
const reasons = new Map(equivalents.map((e) => [equivalentKey(e.file, e.line, e.mutator, e.replacement), e.reason]));
let explained = 0;
// Undetected mutants Stryker marks static: code also run while a test file loads or in a
// beforeAll hook. Its vitest runner (9.6) can report those survived even where the covering tests
// fail on the same change made by hand, so they are counted apart.
let staticUndetected = 0;

const rows = [];
const survivors = [];
const total = countMutants([]);
for (const group of MUTATION_GROUPS) {
  const text = existsSync(local(group.name)) ? readFileSync(local(group.name), 'utf8') : existsSync(kept(group.name)) ? gunzipSync(readFileSync(kept(group.name))).toString('utf8') : undefined;
  if (text === undefined) {
    rows.push(`| ${group.name} | (not run) | | | | | | | |`);
    continue;
  }
  const report = JSON.parse(text);
  for (const [path, entry] of Object.entries(report.files).sort()) {
    const c = countMutants(entry.mutants);
    for (const key of Object.keys(total)) total[key] += c[key];
    rows.push(`| ${group.name} | ${path} | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.Ignored} | ${c.CompileError} | ${score(c).toFixed(1)} % |`);
    const lines = entry.source.split('\n');
    for (const m of entry.mutants) {
      if (!UNDETECTED.has(m.status)) continue;
      const line = m.location.start.line;
      const code = (lines[line - 1] ?? '').trim().slice(0, 100);
      const reason = reasons.get(equivalentKey(path, line, m.mutatorName, m.replacement));
      if (reason) explained += 1;
      if (m.static) staticUndetected += 1;
      survivors.push(`${path}:${line}:${m.location.start.column}\t${m.status}${m.static ? ' (static)' : ''}\t${m.mutatorName}\t${code}\t=> ${String(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100)}${reason ? `\tequivalent: ${reason}` : ''}`);
    }
  }
}
const overall = score(total);
const summary = [
  '| group | file | killed | timed out | survived | no coverage | ignored | compile errors | score |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows,
  `| **all** | | ${total.Killed} | ${total.Timeout} | ${total.Survived} | ${total.NoCoverage} | ${total.Ignored} | ${total.CompileError} | **${overall.toFixed(1)} %** |`,
  '',
  `Score = (killed + timed out) / (killed + timed out + survived + no coverage); target ${TARGET_PERCENT} %.`,
  `Of the ${total.Survived + total.NoCoverage} undetected mutants, ${staticUndetected} are static (also run while a test file loads or in a beforeAll hook; Stryker's verdict on those is unreliable, see bench/README.md), and ${explained} are listed as equivalent (test/mutation/equivalent-mutants.json); counting those as detected, the score is ${score({ ...total, Killed: total.Killed + explained, Survived: total.Survived + total.NoCoverage - explained, NoCoverage: 0 }).toFixed(1)} %.`,
].join('\n');
mkdirSync('reports/mutation', { recursive: true });
writeFileSync('reports/mutation/summary.md', `${summary}\n`);
writeFileSync('reports/mutation/survivors.txt', `${survivors.join('\n')}\n`);
console.log(`\n${summary}\n\nSurvivors: reports/mutation/survivors.txt (${survivors.length})`);
if (!(overall >= TARGET_PERCENT)) {
  console.log(`Mutation score ${overall.toFixed(1)} % is below the ${TARGET_PERCENT} % target.`);
  process.exit(1);
}
