#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// Large plans within bounded memory: `dosekit dvh` (the built bin, as a child process) on a
// synthetic 512 x 512 x 300 RT Dose with 32-bit pixels (300 MB of pixel data) and a 60-ROI RT
// Structure Set, generated in code into a temporary folder (reused while the generator is
// unchanged). For each algorithm and backend: wall time of the whole process, dose voxels per
// second, peak resident set (getrusage ru_maxrss and VmHWM, from a preload in the child) and its
// ratio to the pixel data. Run from a built tree:
//   npm run build && node bench/large-case.mjs [--scales 1,0.5] [--algorithms dicompyler,precise]
//     [--backends cpu,webgpu] [--layouts aligned,unaligned] [--runs 1] [--webgpu-runs N] [--dir DIR]
//     [--json bench/results/large-case.json]
// `--layouts`: the RT Dose's 32-bit pixel data at a file offset that is a multiple of 4, and/or
// 2 bytes off it (as in half of real files; it cannot be viewed as 32-bit values where it lies).
// The target: peak RSS at most 2.5 x the pixel data on the CPU fallback. WebGPU rows name the
// adapter; on a machine without a GPU they are software (SwiftShader/llvmpipe), not GPU speed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLargeCase } from './lib/large-case.mjs';
import { machine, median } from './lib/stats.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TARGET_RATIO = 2.5;
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const scales = option('scales', '1').split(',').map(Number);
const algorithms = option('algorithms', 'dicompyler,precise').split(',');
const backends = option('backends', 'cpu').split(',');
const runs = Number(option('runs', '1'));
// WebGPU rows on a software adapter are slow: they may have fewer runs.
const webgpuRuns = Number(option('webgpu-runs', String(runs)));
// Where the 32-bit pixel data lies in the file: at a multiple of 4, or 2 bytes off (as half of real files).
const layouts = option('layouts', 'aligned,unaligned').split(',');
const jsonPath = option('json', join(ROOT, 'bench/results/large-case.json'));
// One folder per scale: DIR-s1, DIR-s0.5...
const baseDir = option('dir', join(tmpdir(), 'dosekit-large-case'));

if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) {
  console.error('bench/large-case.mjs runs the built bin: run `npm run build` first.');
  process.exit(1);
}

/** One `dosekit dvh` process: wall time, exit code, peak RSS, the summary line. */
function runDvh(files, algorithm, backend) {
  const scratch = mkdtempSync(join(tmpdir(), 'dosekit-rss-'));
  const rssFile = join(scratch, 'rss.json');
  const env = { ...process.env, DOSEKIT_PEAK_RSS_FILE: rssFile };
  // Without a GPU, name Chromium's SwiftShader Vulkan driver for the WebGPU rows (as bench/dvh-gpu.mjs does).
  if (backend === 'webgpu' && !env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const args = ['--import', join(ROOT, 'bench/lib/peak-rss.mjs'), join(ROOT, 'bin/dosekit.js'), 'dvh', '--rtss', files.rtss, '--rtdose', files.rtdose, '--backend', backend, '--algorithm', algorithm];
  const t0 = performance.now();
  const child = spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallS = (performance.now() - t0) / 1000;
  const rss = existsSync(rssFile) ? JSON.parse(readFileSync(rssFile, 'utf8')) : null;
  rmSync(scratch, { recursive: true, force: true });
  const summary = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !rss) {
    throw new Error(`dosekit dvh --algorithm ${algorithm} --backend ${backend} failed (exit ${child.status}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return { wallS, peakRssKiB: rss.maxRssKiB, vmHwmKiB: rss.vmHwmKiB, summary, command: `dosekit dvh --rtss rtss.dcm --rtdose rtdose.dcm --backend ${backend} --algorithm ${algorithm}` };
}

const results = { when: new Date().toISOString(), machine: machine(), command: `node bench/large-case.mjs ${process.argv.slice(2).join(' ')}`.trim(), runs, webgpuRuns, targetPeakRssOverPixelData: TARGET_RATIO, loadAverageAtStart: loadavg(), cases: [] };
for (const [scale, layout] of scales.flatMap((s) => layouts.map((l) => [s, l]))) {
  const unalignedPixelData = layout === 'unaligned';
  const dir = `${baseDir}-s${scale}${unalignedPixelData ? '-unaligned' : ''}`;
  const files = writeLargeCase(dir, { scale, unalignedPixelData });
  const { spec } = files;
  const label = `${spec.columns} x ${spec.rows} x ${spec.frames}, ${spec.roiCount} ROIs${unalignedPixelData ? ', pixel data 2 bytes off' : ''}`;
  console.error(`${label}: ${files.reused ? 'reusing' : 'generated'} ${dir} (RT Dose ${(files.rtdoseBytes / 2 ** 20).toFixed(0)} MiB, RT Structure Set ${(files.rtssBytes / 2 ** 20).toFixed(0)} MiB, ${files.contours} contours, ${files.contourPoints} points${files.reused ? '' : `, ${(files.generateMs / 1000).toFixed(1)} s`})`);
  const entry = {
    case: label,
    scale,
    pixelDataOffsetMod4: (files.rtdoseBytes - files.pixelDataBytes) % 4,
    folder: dir,
    voxels: files.voxels,
    pixelDataBytes: files.pixelDataBytes,
    rtdoseBytes: files.rtdoseBytes,
    rtssBytes: files.rtssBytes,
    contours: files.contours,
    contourPoints: files.contourPoints,
    roiVolumesCm3: [Math.min(...files.shapes.map((s) => s.volumeMm3)) / 1000, Math.max(...files.shapes.map((s) => s.volumeMm3)) / 1000],
    maxDoseGy: files.maxDoseGy,
    rows: [],
  };
  for (const algorithm of algorithms) {
    for (const backend of backends) {
      const all = [];
      for (let r = 0; r < (backend === 'webgpu' ? webgpuRuns : runs); r += 1) {
        const run = runDvh(files, algorithm, backend);
        all.push(run);
        console.error(`  ${algorithm} ${backend}: ${run.wallS.toFixed(2)} s, peak RSS ${(run.peakRssKiB / 1024).toFixed(0)} MiB (${run.summary})`);
      }
      const wallS = median(all.map((r) => r.wallS));
      const peakRssBytes = Math.max(...all.map((r) => r.peakRssKiB)) * 1024;
      const adapter = /webgpu (.*)\)$/.exec(all[0].summary)?.[1];
      entry.rows.push({
        algorithm,
        backend,
        ...(adapter ? { adapter, software: /swiftshader|llvmpipe|lavapipe|softpipe/i.test(adapter) } : {}),
        command: all[0].command,
        wallS,
        voxelsPerSecond: files.voxels / wallS,
        peakRssBytes,
        peakRssOverPixelData: peakRssBytes / files.pixelDataBytes,
        withinTarget: peakRssBytes <= TARGET_RATIO * files.pixelDataBytes,
        summary: all[0].summary,
        runs: all.map((r) => ({ wallS: r.wallS, peakRssKiB: r.peakRssKiB, vmHwmKiB: r.vmHwmKiB })),
      });
    }
  }
  results.cases.push(entry);
}
// Other work on the machine slows the times (not the memory): the load average says how much there was.
results.loadAverageAtEnd = loadavg();
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);

const m = results.machine;
const lines = [
  `Machine: ${m.cpu}, ${m.logicalCpus} logical CPUs, ${m.memoryGiB} GiB, Node ${m.node}; ${runs} run(s) per CPU row${backends.includes('webgpu') ? `, ${webgpuRuns} per WebGPU row` : ''} (median time, largest peak).`,
  '',
  '| case | algorithm | backend | time | voxels/s | peak RSS | RSS / pixel data |',
  '|---|---|---|---|---|---|---|',
];
for (const c of results.cases) {
  for (const r of c.rows) {
    const backend = r.backend === 'cpu' ? 'CPU (one thread)' : `WebGPU${r.adapter ? `: ${r.adapter}` : ''}${r.software ? ' (SOFTWARE)' : ''}`;
    lines.push(`| ${c.case} | ${r.algorithm} | ${backend} | ${r.wallS.toFixed(2)} s | ${(r.voxelsPerSecond / 1e6).toFixed(1)} M | ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB | ${r.peakRssOverPixelData.toFixed(2)}${r.backend === 'cpu' ? (r.withinTarget ? '' : ' (over the 2.5 target)') : ''} |`);
  }
}
console.log(lines.join('\n'));
console.error(`wrote ${jsonPath}`);
