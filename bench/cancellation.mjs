#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// Cancellation latency: the time from an AbortSignal firing (from a timer, at a random moment of
// the work) to the promise rejecting with an AbortError, on the CPU fallback. Run from a built tree:
//   npm run build && node bench/cancellation.mjs [--trials N]
// Prints a Markdown table; writes bench/results/cancellation.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { DoseGrid, calculateDvhs, sumDoseGrids } from '../dist/src/index.js';
import { machine, percentile } from './lib/stats.mjs';

const i = process.argv.indexOf('--trials');
const TRIALS = i < 0 ? 20 : Number(process.argv[i + 1]);

async function latencies(name, work, spanMs) {
  const out = [];
  for (let t = 0; t < TRIALS; t += 1) {
    const controller = new AbortController();
    let abortedAt = 0;
    const timer = setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 5 + Math.random() * spanMs);
    try {
      await work(controller.signal);
      clearTimeout(timer);
    } catch (error) {
      if (error?.name !== 'AbortError') throw error;
      out.push(performance.now() - abortedAt);
    }
  }
  return { name, aborted: out.length, trials: TRIALS, medianMs: percentile(out, 50), p95Ms: percentile(out, 95), maxMs: Math.max(...out) };
}

const base = await DoseGrid.fromFile('examples/rtdose_substitute.dcm');
const shifted = await DoseGrid.fromFile('examples/rtdose_shifted.dcm');
const rows = [
  await latencies('calculateDvhs, precise, CPU, 10 ROIs of the example', (signal) => calculateDvhs('examples/rtss.dcm', base, { algorithm: 'precise', backend: 'cpu', signal }), 400),
  await latencies('calculateDvhs, dicompyler, CPU, 10 ROIs of the example', (signal) => calculateDvhs('examples/rtss.dcm', base, { algorithm: 'dicompyler', backend: 'cpu', signal }), 20),
  await latencies('sumDoseGrids, interpolated, CPU, example pair', (signal) => sumDoseGrids([base, shifted], { backend: 'cpu', signal }), 25),
];
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/cancellation.json', `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), rows }, null, 2)}\n`);
console.log('| work | aborted / trials | median (ms) | p95 (ms) | max (ms) |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.aborted} / ${r.trials} | ${r.medianMs.toFixed(1)} | ${r.p95Ms.toFixed(1)} | ${r.maxMs.toFixed(1)} |`);
