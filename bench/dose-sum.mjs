#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// Dose summation speed: the example pair (194 x 129 x 98 = 2.45 M voxels, shifted by 3.3/-1.7/1.2 mm)
// and a synthetic 256 x 256 x 200 pair (13.1 M voxels, 16-bit, the second moved by 0.5/0.35/0.45
// voxel), as dicompyler-core's timings were taken (../shared/reference/dcc-timings.json). Run from
// a built tree:
//   npm run build && node bench/dose-sum.mjs [--runs N] [--backends cpu,webgpu] [--size example|13m|all]
// Writes bench/results/dose-sum.json and prints a Markdown table. Software WebGPU adapters
// (SwiftShader, llvmpipe) are labelled: their timings are CPU emulation, not GPU speed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { DoseGrid, createBackend, resampleDoseGy } from '../dist/src/index.js';
import { machine, timeRuns } from './lib/stats.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
}
const RUNS = Number(option('runs', '7'));
const BACKENDS = option('backends', 'cpu,webgpu').split(',');
const SIZE = option('size', 'all');
const OUT = option('out', 'bench/results/dose-sum.json');

/** dicompyler-core 0.5.7 on a 2-core AMD EPYC VM (../shared/reference/dcc-timings.json), seconds. */
const DCC = {
  example: { interpolatedSumS: 0.2818, mapCoordinatesS: 0.1843, coincidentSumS: 0.0231, saveS: 0.0261 },
  '13m': { interpolatedSumS: 3.2903, coincidentSumS: 0.0945 },
};

/** An HFS geometry of `columns x rows x frames` voxels spaced `spacingMm`, first voxel at `originMm`. */
function geometry(columns, rows, frames, spacingMm, originMm) {
  const frameOffsetsMm = Float64Array.from({ length: frames }, (_, k) => k * spacingMm);
  return {
    rows, columns, frames, originMm, rowCosines: [1, 0, 0], columnCosines: [0, 1, 0], pixelSpacingMm: [spacingMm, spacingMm],
    frameOffsetsMm, frameZMm: Float64Array.from(frameOffsetsMm, (o) => originMm[2] + o), orientation: 'HFS', xLutIndex: 0, headFirst: true,
  };
}

/** A 16-bit dose: a broad Gaussian field plus a boost, 0.001 Gy per stored unit, fixed in patient space. */
function syntheticGrid(originMm, sopInstanceUid) {
  const g = geometry(256, 256, 200, 2, originMm);
  const pixels = new Uint16Array(g.columns * g.rows * g.frames);
  let i = 0;
  for (let f = 0; f < g.frames; f += 1) {
    const z = g.frameZMm[f];
    for (let r = 0; r < g.rows; r += 1) {
      const y = originMm[1] + 2 * r;
      for (let c = 0; c < g.columns; c += 1, i += 1) {
        const x = originMm[0] + 2 * c;
        const field = 50 * Math.exp(-((x * x) / 2e4 + (y * y) / 1.5e4 + (z * z) / 1e4));
        const boost = 14 * Math.exp(-(((x - 30) ** 2 + (y + 10) ** 2 + z ** 2) / 800));
        pixels[i] = Math.round((field + boost) * 1000);
      }
    }
  }
  return new DoseGrid(g, pixels, 0.001, { sopInstanceUid, doseUnits: 'GY', doseType: 'PHYSICAL', summationType: 'PLAN', frameOfReferenceUid: '2.25.1', source: `synthetic ${sopInstanceUid}` });
}

async function pairs() {
  const out = [];
  if (SIZE === 'all' || SIZE === 'example') {
    out.push({ name: 'example', a: await DoseGrid.fromFile('examples/rtdose_substitute.dcm'), b: await DoseGrid.fromFile('examples/rtdose_shifted.dcm') });
  }
  if (SIZE === 'all' || SIZE === '13m') out.push({ name: '13m', a: syntheticGrid([-255, -255, -199], '2.25.11'), b: syntheticGrid([-254, -254.3, -198.1], '2.25.12') });
  return out;
}

const rows = [];
for (const { name, a, b } of await pairs()) {
  for (const choice of BACKENDS) {
    let backend;
    try {
      backend = await createBackend({ backend: choice });
    } catch (error) {
      console.error(`${name}: backend ${choice} unavailable (${error.code ?? error.message})`);
      continue;
    }
    const label = backend.info.kind === 'cpu' ? 'cpu' : `webgpu: ${backend.info.adapter}${backend.info.software ? ' (SOFTWARE adapter: CPU emulation, not GPU speed)' : ''}`;
    console.error(`${name} on ${label}`);
    const interpolated = await timeRuns(() => a.add(b, { backend }), RUNS);
    const resample = await timeRuns(() => resampleDoseGy(b, a, { backend }), RUNS);
    const coincident = choice === 'cpu' ? await timeRuns(() => a.add(a), RUNS) : undefined;
    const save = choice === 'cpu' ? await timeRuns(async () => (await a.add(b, { backend })).toBytes(), Math.min(RUNS, 3)) : undefined;
    backend.dispose();
    rows.push({ case: name, voxels: a.voxelCount, backend: label, software: Boolean(backend.info.software), interpolated, resample, coincident, sumAndWrite: save, dicompylerCore: DCC[name] });
  }
}

mkdirSync('bench/results', { recursive: true });
writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), runs: RUNS, rows }, null, 2)}\n`);
const s = (ms) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(4)}`);
console.log('| case | voxels | backend | interpolated sum (s) | vs dicompyler-core | resample only (s) | vs map_coordinates | coincident sum (s) | sum + write (s) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const dcc = r.dicompylerCore;
  const speedup = (ms, s0) => (s0 === undefined ? '-' : `${(s0 / (ms / 1000)).toFixed(1)}x`);
  console.log(`| ${r.case} | ${(r.voxels / 1e6).toFixed(2)} M | ${r.backend} | ${s(r.interpolated.medianMs)} | ${speedup(r.interpolated.medianMs, dcc.interpolatedSumS)} | ${s(r.resample.medianMs)} | ${speedup(r.resample.medianMs, dcc.mapCoordinatesS)} | ${s(r.coincident?.medianMs)} | ${s(r.sumAndWrite?.medianMs)} |`);
}
console.error(`wrote ${OUT}`);
