#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// Accuracy of both DVH algorithms over the analytical phantom suite, as a Markdown table.
//   npm run build && node bench/phantom-accuracy.mjs
// Writes bench/results/phantom-accuracy.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { summarise } from '../dist/src/phantom/accuracy.js';
import { runPhantomSuite } from '../dist/src/phantom/run-suite.js';

const t0 = performance.now();
const cases = await runPhantomSuite();
const seconds = (performance.now() - t0) / 1000;
const groups = new Map();
for (const c of cases) {
  const key = `${c.spec.shape} / ${c.spec.dose}`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(c);
}
const row = (label, list) => {
  const p = summarise(list.map((c) => c.reports.precise));
  const d = summarise(list.map((c) => c.reports.dicompyler));
  return `| ${label} | ${list.length} | ${p.over3Percent.toFixed(1)} % | ${p.over10Percent.toFixed(1)} % | ${p.worstMeanPercent.toFixed(2)} % | ${p.worstCurvePercent.toFixed(2)} % | ${d.over3Percent.toFixed(1)} % | ${d.over10Percent.toFixed(1)} % | ${d.worstMeanPercent.toFixed(1)} % | ${d.worstVolumePercent.toFixed(1)} % |`;
};
const lines = [
  '| cases | n | precise: endpoints > 3 % | > 10 % | worst Dmean | worst curve | dicompyler: endpoints > 3 % | > 10 % | worst Dmean | worst volume |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...[...groups.entries()].map(([key, list]) => row(key, list)),
  row('**all**', cases),
];
console.log(lines.join('\n'));
console.log(`\n${cases.length} cases, ${cases.length * 9} endpoints per algorithm, ${seconds.toFixed(1)} s (CPU, both algorithms, including writing and reading the DICOM files).`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/phantom-accuracy.json', `${JSON.stringify({ when: new Date().toISOString(), seconds, cases: cases.map((c) => ({ name: c.name, ...Object.fromEntries(Object.entries(c.reports).map(([algorithm, r]) => [algorithm, { curveMaxErrorPercent: r.curveMaxErrorPercent, endpoints: Object.fromEntries(r.endpoints.map((e) => [e.endpoint, { calculated: e.calculated, truth: e.truth, percent: e.percent }])) }])) })) }, null, 0)}\n`);
