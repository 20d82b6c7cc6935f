#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// DVH calculation on WebGPU beside the CPU fallback, in one run, on named sizes. Run from a built
// tree with installed node_modules (the optional `webgpu` package gives Node its WebGPU), no
// network needed:
//   npm run build && node bench/dvh-gpu.mjs [--size example|256|512|all] [--algorithm dicompyler|precise|both] [--runs N]
// Writes bench/results/dvh-gpu.json and prints a Markdown table on stdout (progress and Dawn's
// driver messages go to stderr). Software adapters (llvmpipe, SwiftShader, lavapipe) are flagged:
// their timings are CPU emulation of a GPU, not GPU speed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { DicomParser, calculateDvhs, createBackend } from '../dist/src/index.js';
import { machine, median, percentile } from './lib/stats.mjs';
import { syntheticDoseGrid, syntheticStructureSet } from './lib/synthetic-case.mjs';

const USAGE = `Usage: node bench/dvh-gpu.mjs [options]
  --size example|256|512|all        cases, comma-separated allowed (default all)
  --algorithm dicompyler|precise|both (default both)
  --runs N                          runs per case, algorithm and backend; the first is reported apart (default 5)
  --adapters primary|all            primary: only the adapter createBackend({backend: 'webgpu'}) gives;
                                    all (default): also every other adapter Dawn finds (default backend,
                                    OpenGL ES, SwiftShader's Vulkan ICD when installed)
  --max-run-s S                     a run longer than this is aborted and that backend skipped; one predicted
                                    (from the smaller case) to take longer is not started (default 120)
  --budget-s S                      time for one case and algorithm, all backends together: fewer steady runs
                                    when short; software adapters, then the algorithm, left out of a case
                                    predicted not to fit (default 300)
  --out FILE                        results JSON (default bench/results/dvh-gpu.json)`;

// ------------------------------------------------------------------ options
function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value\n${USAGE}`);
  return value;
}
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const known = new Set(['size', 'algorithm', 'runs', 'adapters', 'max-run-s', 'budget-s', 'out']);
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith('--') && !known.has(arg.slice(2))) {
    console.error(`unknown option ${arg}\n${USAGE}`);
    process.exit(2);
  }
}
const SIZES = ['example', '256', '512'];
const sizeArg = option('size', 'all');
const sizes = sizeArg === 'all' ? SIZES : sizeArg.split(',');
const algorithmArg = option('algorithm', 'both');
const algorithms = algorithmArg === 'both' ? ['dicompyler', 'precise'] : [algorithmArg];
const RUNS = Number(option('runs', '5'));
const ADAPTERS = option('adapters', 'all');
const MAX_RUN_S = Number(option('max-run-s', '120'));
const BUDGET_S = Number(option('budget-s', '300'));
const OUT = option('out', 'bench/results/dvh-gpu.json');
if (sizes.some((s) => !SIZES.includes(s)) || algorithms.some((a) => a !== 'dicompyler' && a !== 'precise') || !(RUNS >= 2 && Number.isInteger(RUNS))
  || !['primary', 'all'].includes(ADAPTERS) || !(MAX_RUN_S > 0) || !(BUDGET_S > 0)) {
  console.error(`bad option value (runs must be a whole number >= 2)\n${USAGE}`);
  process.exit(2);
}

const log = (text) => process.stderr.write(`[dvh-gpu] ${text}\n`);
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software/i;

// ------------------------------------------------------------------ adapters
// Dawn frees an instance (and every device on it) when the GPU object is garbage-collected.
const liveInstances = [];

function describeAdapter(adapter) {
  const info = adapter.info ?? {};
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((p) => typeof p === 'string' && p !== '');
  const name = [...new Set(parts)].join(' ') || 'unknown adapter';
  return { name, software: Boolean(info.isFallbackAdapter) || SOFTWARE.test(name) };
}

/** A device on `adapter` with the limits dosekit asks for (as src/gpu/device.ts does). */
async function deviceOn(adapter) {
  const l = adapter.limits;
  return adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeInvocationsPerWorkgroup: Math.min(256, l.maxComputeInvocationsPerWorkgroup),
      maxComputeWorkgroupSizeX: Math.min(256, l.maxComputeWorkgroupSizeX),
      maxStorageBuffersPerShaderStage: Math.min(8, l.maxStorageBuffersPerShaderStage),
    },
  });
}

/** Every other adapter Dawn finds in Node, each as a WebGPU backend on a device of the bench's own. */
async function otherAdapters(seen) {
  let webgpu;
  try {
    const require = createRequire(import.meta.url);
    webgpu = await import(require.resolve('webgpu'));
    webgpu = typeof webgpu.create === 'function' ? webgpu : webgpu.default;
  } catch (error) {
    log(`no other adapters: the webgpu package does not load (${error.message.split('\n')[0]})`);
    return [];
  }
  for (const [key, value] of Object.entries(webgpu.globals)) if (!(key in globalThis)) globalThis[key] = value;
  const found = [];
  const tryProvider = async (provider, flags, adapterOptions, env = {}) => {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const gpu = webgpu.create(flags);
      liveInstances.push(gpu);
      const adapter = await gpu.requestAdapter(adapterOptions);
      if (!adapter) return log(`${provider}: no adapter`);
      const { name, software } = describeAdapter(adapter);
      if (seen.has(name)) return log(`${provider}: ${name} (already measured)`);
      seen.add(name);
      const t0 = performance.now();
      const device = await deviceOn(adapter);
      const deviceMs = performance.now() - t0;
      const backend = await createBackend({ backend: 'webgpu', device });
      found.push({ adapter: name, software, provider, deviceMs, limits: limitsOf(device), backend, device });
      log(`${provider}: ${name}${software ? ' (software)' : ''}`);
    } catch (error) {
      log(`${provider}: failed (${error.message.split('\n')[0]})`);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  };
  await tryProvider('webgpu (Dawn) default backend, high-performance', [], { powerPreference: 'high-performance' });
  await tryProvider('webgpu (Dawn) default backend, low-power', [], { powerPreference: 'low-power' });
  await tryProvider('webgpu (Dawn) OpenGL ES, compatibility mode', ['backend=opengles'], { featureLevel: 'compatibility' }, process.env.EGL_PLATFORM ? {} : { EGL_PLATFORM: 'surfaceless' });
  const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (process.platform === 'linux' && existsSync(swiftshader) && !process.env.VK_ICD_FILENAMES) {
    await tryProvider('webgpu (Dawn) Vulkan on SwiftShader (Chromium\'s ICD)', ['backend=vulkan'], {}, { VK_ICD_FILENAMES: swiftshader });
  }
  return found;
}

function limitsOf(device) {
  const l = device.limits;
  return { maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxBufferSize: l.maxBufferSize, maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup };
}

// ------------------------------------------------------------------ cases
function syntheticSpec(size) {
  return size === '256'
    ? { columns: 256, rows: 256, frames: 200, rois: 30 }
    : { columns: 512, rows: 512, frames: 300, rois: 60 };
}

/** Bytes a synthetic case needs in memory, roughly: the uint32 grid, working copies, contours. */
function memoryNeed(spec) {
  const voxels = spec.columns * spec.rows * spec.frames;
  return voxels * 4 * 2 + spec.rois * spec.frames * 2 * 200 * 3 * 8 + 512 * 2 ** 20;
}

async function loadCase(size) {
  if (size === 'example') {
    const structureSet = (await DicomParser.fromFile('examples/rtss.dcm')).toStructureSet();
    const grid = (await DicomParser.fromFile('examples/rtdose_substitute.dcm')).toDoseGrid();
    const g = grid.geometry;
    return { structureSet, grid, description: `example (examples/rtss.dcm + rtdose_substitute.dcm), ${g.columns} x ${g.rows} x ${g.frames}, ${structureSet.rois.length} ROIs` };
  }
  const spec = syntheticSpec(size);
  const t0 = performance.now();
  const grid = syntheticDoseGrid({ columns: spec.columns, rows: spec.rows, frames: spec.frames, spacingMm: [2, 2, 2] });
  const structureSet = syntheticStructureSet(grid, { count: spec.rois, points: 200 });
  log(`generated the ${size} case in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { structureSet, grid, description: `synthetic ${spec.columns} x ${spec.rows} x ${spec.frames} (2 mm), ${spec.rois} ROIs of 200-point contours every 2 mm` };
}

// ------------------------------------------------------------------ measuring
// Which jobs the WebGPU backend's kernels take (the rest run on the CPU kernels inside it), by
// the backend's own predicates, wherever this build keeps them; the column stays empty without.
const predicates = [];
for (const [path, names] of [
  ['../dist/src/gpu/webgpu-backend.js', ['gpuHandles', 'pointJob', 'spreadJob']],
  ['../dist/src/gpu/point-batch.js', ['isPointJob']],
  ['../dist/src/gpu/spread-batch.js', ['isSpreadJob']],
]) {
  try {
    const module = await import(path);
    for (const name of names) if (typeof module[name] === 'function') predicates.push(module[name]);
  } catch {
    // not in this build
  }
}
const onGpu = predicates.length > 0 ? (job) => predicates.some((f) => f(job)) : null;

/** Forwards to `backend`, counting the sample layers the GPU kernels take (the rest run on the CPU kernels). */
function counting(backend) {
  const tally = { layers: 0, gpuLayers: 0 };
  return {
    tally,
    backend: {
      info: backend.info,
      histogram(request, signal) {
        for (const job of request.jobs) {
          tally.layers += job.layers.length;
          if (onGpu && onGpu(job)) tally.gpuLayers += job.layers.length;
        }
        return backend.histogram(request, signal);
      },
      dispose() {},
    },
  };
}

class Skip extends Error {}

async function measure(testCase, algorithm, backend, budgetMs) {
  const wrapped = counting(backend);
  const times = [];
  let firstResult = null;
  let steadyRuns = RUNS - 1;
  for (let i = 0; i < 1 + steadyRuns; i += 1) {
    const t0 = performance.now();
    let result;
    // The deadline is checked after every batch of dose planes (a timer would not fire while the
    // CPU backend computes on this thread).
    const controller = new AbortController();
    const deadline = t0 + MAX_RUN_S * 1000;
    const onProgress = () => {
      if (performance.now() > deadline) controller.abort();
    };
    try {
      result = await calculateDvhs(testCase.structureSet, testCase.grid, { algorithm, backend: wrapped.backend, signal: controller.signal, onProgress });
    } catch (error) {
      if (error?.name === 'AbortError') throw new Skip(`run ${i + 1} took over --max-run-s ${MAX_RUN_S} s; aborted`);
      throw error;
    }
    const ms = performance.now() - t0;
    times.push(ms);
    if (i === 0) {
      firstResult = result;
      // Fewer steady runs when they would not fit in this backend's share of the budget (at least one).
      steadyRuns = Math.max(1, Math.min(RUNS - 1, Math.floor((budgetMs - ms) / Math.max(ms, 1))));
    }
    log(`  run ${i + 1}/${1 + steadyRuns}: ${ms.toFixed(1)} ms`);
  }
  const steady = times.slice(1);
  const voxels = testCase.grid.voxelCount;
  const med = median(steady);
  return {
    firstMs: times[0],
    medianMs: med,
    p90Ms: percentile(steady, 90),
    minMs: Math.min(...steady),
    steadyRuns: steady.length,
    allMs: times,
    voxelsPerSecond: voxels / (med / 1000),
    gpuLayerShare: backend.info.kind === 'webgpu' && onGpu && wrapped.tally.layers > 0 ? wrapped.tally.gpuLayers / wrapped.tally.layers : null,
    result: firstResult,
  };
}

/**
 * GPU DVHs against the CPU's. identical: every ROI's counts equal, bin for bin. maxRelDiff: the
 * largest bin difference as a fraction of the ROI's volume. maxRelDiffPerBin: |gpu - cpu| / cpu
 * over bins holding more than 1e-9 of the ROI's volume (smaller ones are round-off).
 * maxMeanDoseDiffGy: the largest difference of the ROIs' mean doses. Where one side has more bins
 * (trailing bins of round-off), the missing bins count as empty.
 */
function compare(gpu, cpu) {
  const out = { identical: true, roisCompared: 0, maxRelDiff: 0, maxRelDiffPerBin: 0, maxAbsDiffCm3: 0, maxMeanDoseDiffGy: 0, binsDiffering: 0, binLengthsDiffer: 0, mismatch: [] };
  const cpuErrors = cpu.errors.map((e) => `${e.roi}:${e.code}`).sort();
  const gpuErrors = gpu.errors.map((e) => `${e.roi}:${e.code}`).sort();
  if (JSON.stringify(cpuErrors) !== JSON.stringify(gpuErrors)) {
    out.identical = false;
    out.mismatch.push(`ROI errors differ: cpu ${cpuErrors.join(' ')} / gpu ${gpuErrors.join(' ')}`);
  }
  for (const { roi, dvh } of cpu.dvhs) {
    const other = gpu.dvhs.find((d) => d.roi === roi);
    if (!other) {
      out.identical = false;
      out.mismatch.push(`ROI ${roi} missing on the GPU`);
      continue;
    }
    out.roisCompared += 1;
    const a = other.dvh.counts;
    const b = dvh.counts;
    const binsA = other.dvh.bins;
    const binsB = dvh.bins;
    const common = Math.min(binsA.length, binsB.length);
    if (binsA.subarray(0, common).some((x, i) => x !== binsB[i])) {
      out.identical = false;
      out.mismatch.push(`ROI ${roi}: bin edges differ`);
      continue;
    }
    if (a.length !== b.length) {
      out.identical = false;
      out.binLengthsDiffer += 1;
      out.mismatch.push(`ROI ${roi}: ${a.length} bins on the GPU, ${b.length} on the CPU`);
    }
    const volume = dvh.volume;
    out.maxMeanDoseDiffGy = Math.max(out.maxMeanDoseDiffGy, Math.abs(other.dvh.mean - dvh.mean));
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
      const x = a[i] ?? 0;
      const y = b[i] ?? 0;
      if (x === y) continue;
      out.identical = false;
      out.binsDiffering += 1;
      const diff = Math.abs(x - y);
      out.maxAbsDiffCm3 = Math.max(out.maxAbsDiffCm3, diff);
      if (volume > 0) {
        out.maxRelDiff = Math.max(out.maxRelDiff, diff / volume);
        if (Math.abs(y) > 1e-9 * volume) out.maxRelDiffPerBin = Math.max(out.maxRelDiffPerBin, diff / Math.abs(y));
      }
    }
  }
  if (out.mismatch.length === 0) delete out.mismatch;
  return out;
}

// ------------------------------------------------------------------ run
const started = performance.now();
const results = {
  when: new Date().toISOString(),
  machine: { ...machine(), freeMemoryGiB: Math.round(freemem() / 2 ** 30) },
  webgpuPackage: (() => {
    try {
      return JSON.parse(readFileSync(createRequire(import.meta.url).resolve('webgpu/package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  })(),
  env: { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? null, EGL_PLATFORM: process.env.EGL_PLATFORM ?? null },
  options: { sizes, algorithms, runs: RUNS, adapters: ADAPTERS, maxRunS: MAX_RUN_S, budgetS: BUDGET_S },
  timing: 'wall clock of calculateDvhs on parsed models with a backend created beforehand: planning, exact crossings (CPU), kernels, and the read-back (the backend\'s histogram resolves only after mapping its result buffers); first run apart (JIT, shader compilation, pipeline creation), median and p90 of the rest',
  auto: null,
  adapters: [],
  cases: [],
};

const cpuBackend = await createBackend({ backend: 'cpu' });
const backends = [{ label: 'cpu', kind: 'cpu', adapter: null, software: false, backend: cpuBackend }];
{
  const auto = await createBackend({ backend: 'auto' });
  results.auto = auto.info;
  auto.dispose();
  const seen = new Set();
  try {
    const t0 = performance.now();
    const primary = await createBackend({ backend: 'webgpu' });
    const deviceMs = performance.now() - t0;
    seen.add(primary.info.adapter);
    backends.push({ label: 'webgpu', kind: 'webgpu', adapter: primary.info.adapter, software: Boolean(primary.info.software), backend: primary });
    results.adapters.push({ adapter: primary.info.adapter, software: Boolean(primary.info.software), provider: "createBackend({ backend: 'webgpu' })", deviceMs });
    log(`createBackend({backend: 'webgpu'}): ${primary.info.adapter}${primary.info.software ? ' (software)' : ''}`);
  } catch (error) {
    log(`createBackend({backend: 'webgpu'}) failed: ${error.message}`);
    results.adapters.push({ adapter: null, provider: "createBackend({ backend: 'webgpu' })", error: `${error.code ?? ''} ${error.message}`.trim() });
  }
  if (ADAPTERS === 'all') {
    for (const other of await otherAdapters(seen)) {
      backends.push({ label: 'webgpu', kind: 'webgpu', adapter: other.adapter, software: other.software, backend: other.backend });
      results.adapters.push({ adapter: other.adapter, software: other.software, provider: other.provider, deviceMs: other.deviceMs, limits: other.limits });
    }
  }
}
if (backends.length === 1) log('no WebGPU adapter: measuring the CPU only (see `dosekit gpu`)');

/**
 * How much more work a larger case is, roughly and on the safe side: the dicompyler algorithm
 * scales with voxels x ROIs; the precise one samples each ROI at about the same density whatever
 * the grid, so less than that (measured here: 256 -> 512 took 4.4x, this predicts 4.9x).
 */
function workRatio(algorithm, prev, next) {
  const voxels = next.voxels / prev.voxels;
  const rois = next.rois / prev.rois;
  return algorithm === 'dicompyler' ? voxels * rois : Math.sqrt(voxels) * rois;
}

/** Last measured steady median per algorithm and backend, to predict the next, larger case. */
const previous = new Map();

for (const size of sizes) {
  const entry = { size, results: [] };
  results.cases.push(entry);
  if (size !== 'example') {
    const spec = syntheticSpec(size);
    const need = memoryNeed(spec);
    if (need > freemem() * 0.8 || need > totalmem() * 0.5) {
      entry.skipped = `needs about ${(need / 2 ** 30).toFixed(1)} GiB of memory; ${(freemem() / 2 ** 30).toFixed(1)} GiB free of ${(totalmem() / 2 ** 30).toFixed(1)} GiB`;
      log(`${size}: skipped (${entry.skipped})`);
      continue;
    }
  }
  let testCase;
  try {
    testCase = await loadCase(size);
  } catch (error) {
    entry.skipped = `could not load: ${error.message}`;
    log(`${size}: skipped (${entry.skipped})`);
    continue;
  }
  const { grid, structureSet } = testCase;
  entry.description = testCase.description;
  entry.voxels = grid.voxelCount;
  entry.rois = structureSet.rois.length;
  entry.contours = structureSet.rois.reduce((n, r) => n + r.planes.reduce((m, p) => m + p.contours.length, 0), 0);
  for (const algorithm of algorithms) {
    let cpu = null;
    // Predict each backend's run time from the last, smaller case, and leave out what cannot run
    // within --max-run-s per run or --budget-s for this case and algorithm: software adapters
    // first (slowest first), then the whole algorithm for this case.
    const plan = backends.map((b) => {
      const key = `${algorithm}|${b.kind}|${b.adapter ?? ''}`;
      const prev = previous.get(key);
      return { b, key, predictedMs: prev ? prev.medianMs * workRatio(algorithm, prev, entry) : null, skip: null };
    });
    for (const p of plan) if (p.predictedMs !== null && p.predictedMs > MAX_RUN_S * 1000) p.skip = `predicted ${(p.predictedMs / 1000).toFixed(0)} s per run (from the smaller case), over --max-run-s ${MAX_RUN_S}; not run`;
    const predictedTotal = () => plan.filter((p) => !p.skip && p.predictedMs !== null).reduce((t, p) => t + Math.max(2 * p.predictedMs, Math.min(RUNS * p.predictedMs, (BUDGET_S * 1000) / plan.length)), 0);
    const droppable = plan.filter((p) => p.b.software && !p.skip && p.predictedMs !== null).sort((x, y) => y.predictedMs - x.predictedMs);
    while (predictedTotal() > BUDGET_S * 1000 && droppable.length > 0) {
      const p = droppable.shift();
      p.skip = `software adapter, predicted ${(p.predictedMs / 1000).toFixed(0)} s per run: the case would not fit in --budget-s ${BUDGET_S}; not run`;
    }
    if (predictedTotal() > BUDGET_S * 1000) {
      const total = predictedTotal() / 1000;
      for (const p of plan) p.skip ??= `predicted ${total.toFixed(0)} s for this case and algorithm on this machine (from the smaller case), over --budget-s ${BUDGET_S}; not run`;
    }
    for (const { b, key, skip } of plan) {
      const row = { algorithm, backend: b.kind, adapter: b.adapter, software: b.software };
      entry.results.push(row);
      log(`${size} ${algorithm} ${b.kind}${b.adapter ? ` on ${b.adapter}` : ''}`);
      if (skip) {
        row.skipped = skip;
        log(`  ${skip}`);
        continue;
      }
      try {
        const m = await measure(testCase, algorithm, b.backend, (BUDGET_S * 1000) / plan.length);
        const { result, ...timing } = m;
        Object.assign(row, timing);
        previous.set(key, { medianMs: m.medianMs, voxels: entry.voxels, rois: entry.rois, frames: grid.geometry.frames });
        if (b.kind === 'cpu') cpu = { ...m };
        else if (cpu) {
          row.speedupVsCpu = cpu.medianMs / m.medianMs;
          row.vsCpu = compare(result, cpu.result);
        }
      } catch (error) {
        row.skipped = error instanceof Skip ? error.message : `failed: ${error.code ?? error.name}: ${error.message}`;
        log(`  ${row.skipped}`);
      }
    }
  }
}
results.totalS = (performance.now() - started) / 1000;
mkdirSync(OUT.replace(/\/[^/]*$/, '') || '.', { recursive: true });
writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);

// ------------------------------------------------------------------ table
/** A software adapter by its driver's name (the full name is in the adapter list); others in full. */
const shortName = (adapter) => ({ llvmpipe: 'llvmpipe, OpenGL ES', swiftshader: 'SwiftShader, Vulkan', lavapipe: 'lavapipe, Vulkan' })[adapter.match(/llvmpipe|swiftshader|lavapipe/i)?.[0].toLowerCase()] ?? adapter;
const ms = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 2 : 1)} ms`);
const m = results.machine;
const lines = [
  `CPU: ${m.cpu}, ${m.logicalCpus} logical CPUs, ${m.memoryGiB} GiB; Node ${m.node} (${m.platform}); webgpu package ${results.webgpuPackage ?? 'not installed'}; runs: ${RUNS} (first apart, median and p90 of the rest).`,
  `'auto' backend here: ${results.auto.kind}${results.auto.adapter ? ` (${results.auto.adapter})` : ''}.`,
  'Adapters:',
  ...results.adapters.map((a) => `- ${a.adapter ?? 'none'}${a.adapter ? (a.software ? ' - SOFTWARE adapter: its timings are CPU emulation, not GPU speed' : ' - hardware') : ` (${a.error})`}; via ${a.provider}`),
  '',
  '| case | algorithm | backend | first run | median | p90 | M voxels/s | vs CPU | GPU share | DVHs vs CPU |',
  '|---|---|---|---|---|---|---|---|---|---|',
];
for (const c of results.cases) {
  const caseName = c.size === 'example' ? 'example' : c.size === '256' ? '256 x 256 x 200, 30 ROIs' : '512 x 512 x 300, 60 ROIs';
  if (c.skipped) {
    lines.push(`| ${caseName} | | skipped: ${c.skipped} | | | | | | | |`);
    continue;
  }
  for (const r of c.results) {
    const backend = r.backend === 'cpu' ? 'CPU (one thread)' : `WebGPU: ${shortName(r.adapter)}${r.software ? ' (SOFTWARE)' : ''}`;
    if (r.skipped) {
      lines.push(`| ${caseName} | ${r.algorithm} | ${backend} | skipped: ${r.skipped} | | | | | | |`);
      continue;
    }
    let check = '';
    if (r.vsCpu) {
      const v = r.vsCpu;
      check = v.identical
        ? 'identical counts'
        : `max diff ${v.maxRelDiff.toExponential(1)} of the ROI volume (${v.maxRelDiffPerBin.toExponential(1)} of a bin; mean dose within ${v.maxMeanDoseDiffGy.toExponential(1)} Gy)${v.binLengthsDiffer ? `; ${v.binLengthsDiffer} ROI${v.binLengthsDiffer > 1 ? 's' : ''} with a different number of bins` : ''}`;
    } else if (r.backend === 'webgpu') check = 'no CPU reference';
    const share = r.gpuLayerShare === null || r.gpuLayerShare === undefined ? '' : `${(100 * r.gpuLayerShare).toFixed(0)}%`;
    lines.push(`| ${caseName} | ${r.algorithm} | ${backend} | ${ms(r.firstMs)} | ${ms(r.medianMs)} | ${ms(r.p90Ms)} | ${(r.voxelsPerSecond / 1e6).toFixed(1)} | ${r.speedupVsCpu ? `${r.speedupVsCpu.toFixed(2)}x` : ''} | ${share} | ${check} |`);
  }
}
lines.push('');
lines.push('DVHs vs CPU: the first GPU run\'s DVHs against the CPU\'s, bin by bin. Where they differ: the largest bin difference as a fraction of the ROI\'s volume, and of the bin (bins over 1e-9 of the volume), and the largest mean-dose difference; missing trailing bins count as empty.');
lines.push(`GPU share: the fraction of sample layers the GPU kernels computed; the rest ran on the CPU kernels inside the WebGPU backend. Total ${results.totalS.toFixed(0)} s. Raw numbers: ${OUT}.`);
console.log(lines.join('\n'));
// Dawn's devices keep the event loop alive in some versions: leave explicitly.
process.exit(0);
