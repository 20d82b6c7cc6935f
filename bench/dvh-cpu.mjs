#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// DVH calculation on the CPU fallback: the bundled example (whole process and in-process, whole
// structure set and each ROI) and a larger synthetic case. Run from a built tree:
//   npm run build && node bench/dvh-cpu.mjs [--runs 9]
// Writes bench/results/dvh-cpu.json and prints a Markdown summary.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { DicomParser, calculateDvhs } from '../dist/src/index.js';
import { machine, median, timeRuns } from './lib/stats.mjs';
import { syntheticDoseGrid, syntheticStructureSet } from './lib/synthetic-case.mjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9;
const RTSS = 'examples/rtss.dcm';
const RTDOSE = 'examples/rtdose_substitute.dcm';

// dicompyler-core 0d5729d on a 2-core AMD EPYC VM (shared/reference/dcc-timings.json and the issue).
const DCC = { wholeProcessS: [4.7, 5.1], wholeProcessMiB: 210, calculationS: 3.6239, perRoiPreloadedS: { 1: 2.1333, 2: 0.0004, 3: 0.0075, 4: 0.3722, 5: 0.2106, 6: 0.8349, 7: 0.0063, 8: 0.0107, 9: 0.0331, 10: 0.083 } };

function wholeProcess(algorithm) {
  const times = [];
  const rss = [];
  for (let i = 0; i < RUNS; i += 1) {
    const t0 = performance.now();
    const child = spawnSync(process.execPath, ['bench/lib/measured-cli.mjs', 'dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--algorithm', algorithm, '--format', 'json'], { encoding: 'utf8' });
    times.push(performance.now() - t0);
    const last = child.stderr.trim().split('\n').at(-1);
    rss.push(JSON.parse(last).maxRssKiB / 1024);
  }
  return { medianMs: median(times), minMs: Math.min(...times), peakRssMiB: median(rss), runs: RUNS };
}

async function inProcess() {
  const structureSet = (await DicomParser.fromFile(RTSS)).toStructureSet();
  const dose = (await DicomParser.fromFile(RTDOSE)).toDoseGrid();
  const all = await timeRuns(() => calculateDvhs(structureSet, dose, { backend: 'cpu', algorithm: 'dicompyler' }), RUNS + 1);
  const precise = await timeRuns(() => calculateDvhs(structureSet, dose, { backend: 'cpu', algorithm: 'precise' }), RUNS + 1);
  const perRoi = {};
  for (const roi of structureSet.rois) {
    const t = await timeRuns(() => calculateDvhs(structureSet, dose, { backend: 'cpu', algorithm: 'dicompyler', rois: [roi.number] }), RUNS + 1);
    const p = await timeRuns(() => calculateDvhs(structureSet, dose, { backend: 'cpu', algorithm: 'precise', rois: [roi.number] }), Math.max(3, Math.ceil(RUNS / 2)));
    perRoi[roi.number] = { name: roi.name, medianMs: t.medianMs, preciseMedianMs: p.medianMs };
  }
  const read = await timeRuns(async () => {
    (await DicomParser.fromFile(RTSS)).toStructureSet();
    (await DicomParser.fromFile(RTDOSE)).toDoseGrid().maxStoredValue;
  }, RUNS + 1);
  return { wholeStructureSet: all, wholeStructureSetPrecise: precise, perRoi, readBothFiles: read };
}

async function scaling() {
  const grid = syntheticDoseGrid({ columns: 256, rows: 256, frames: 200, spacingMm: [2, 2, 2] });
  const structureSet = syntheticStructureSet(grid, { count: 30, points: 200 });
  const t = await timeRuns(() => calculateDvhs(structureSet, grid, { backend: 'cpu', algorithm: 'dicompyler' }), Math.max(3, Math.ceil(RUNS / 3)));
  const p = await timeRuns(() => calculateDvhs(structureSet, grid, { backend: 'cpu', algorithm: 'precise' }), 3);
  const voxels = grid.voxelCount;
  const contours = structureSet.rois.reduce((n, r) => n + r.planes.reduce((m, p) => m + p.contours.length, 0), 0);
  return { grid: '256 x 256 x 200 (2 mm)', voxels, rois: structureSet.rois.length, contours, ...t, voxelsPerSecond: voxels / (t.medianMs / 1000), precise: { ...p, voxelsPerSecond: voxels / (p.medianMs / 1000) } };
}

const results = { when: new Date().toISOString(), machine: machine(), backend: 'cpu (one thread)', dicompylerCore: DCC };
results.example = { wholeProcess: wholeProcess('dicompyler'), wholeProcessPrecise: wholeProcess('precise'), ...(await inProcess()) };
results.synthetic = await scaling();
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/dvh-cpu.json', `${JSON.stringify(results, null, 2)}\n`);

const e = results.example;
const lines = [
  `Machine: ${results.machine.cpu}, ${results.machine.logicalCpus} logical CPUs, Node ${results.machine.node}. Runs: ${RUNS} (median).`,
  '',
  '| example (10 ROIs, 194 x 129 x 98) | dosekit (CPU) | dicompyler-core | speed-up |',
  '|---|---|---|---|',
  `| whole process: start, read both files, every DVH, exit | ${e.wholeProcess.medianMs.toFixed(0)} ms | 4.7-5.1 s | ${(4700 / e.wholeProcess.medianMs).toFixed(0)}-${(5100 / e.wholeProcess.medianMs).toFixed(0)}x |`,
  `| peak memory (resident set) of that process | ${e.wholeProcess.peakRssMiB.toFixed(0)} MiB | 210 MB | |`,
  `| calculation, whole structure set, in process | ${e.wholeStructureSet.medianMs.toFixed(1)} ms (first run ${e.wholeStructureSet.firstMs.toFixed(0)} ms) | 3.62 s | ${(3623.9 / e.wholeStructureSet.medianMs).toFixed(0)}x |`,
  `| reading both files, in process | ${e.readBothFiles.medianMs.toFixed(1)} ms | | |`,
  `| precise algorithm: whole process | ${e.wholeProcessPrecise.medianMs.toFixed(0)} ms | | |`,
  `| precise algorithm: calculation, whole structure set | ${e.wholeStructureSetPrecise.medianMs.toFixed(0)} ms (first run ${e.wholeStructureSetPrecise.firstMs.toFixed(0)} ms) | 88 s for the BODY alone with interpolation | |`,
  '',
  '| ROI | dosekit dicompyler (ms) | dicompyler-core preloaded (ms) | speed-up | dosekit precise (ms) |',
  '|---|---|---|---|---|',
  ...Object.entries(e.perRoi).map(([roi, r]) => `| ${roi} ${r.name} | ${r.medianMs.toFixed(2)} | ${(DCC.perRoiPreloadedS[roi] * 1000).toFixed(1)} | ${(DCC.perRoiPreloadedS[roi] * 1000 / r.medianMs).toFixed(0)}x | ${r.preciseMedianMs.toFixed(1)} |`),
  '',
  `Synthetic ${results.synthetic.grid}, ${results.synthetic.rois} ROIs (${results.synthetic.contours} contours of 200 points): dicompyler algorithm ${results.synthetic.medianMs.toFixed(0)} ms median (first ${results.synthetic.firstMs.toFixed(0)} ms), ${(results.synthetic.voxelsPerSecond / 1e6).toFixed(0)} M voxels/s; precise ${results.synthetic.precise.medianMs.toFixed(0)} ms, ${(results.synthetic.precise.voxelsPerSecond / 1e6).toFixed(0)} M voxels/s.`,
];
console.log(lines.join('\n'));
