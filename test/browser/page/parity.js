// SPDX-License-Identifier: BSD-3-Clause
// The browser half of the WebGPU parity tests. Loads the built library (dist/) as ES modules,
// computes the same things on the WebGPU backend (navigator.gpu; SwiftShader in headless
// Chromium without a GPU) and on the CPU fallback, and compares them exactly. Driven by
// test/browser/webgpu-parity.test.ts through window.probeWebGpu() and window.runParity().
import { DicomParser, DoseGrid, VERSION, calculateDvhs, createBackend, indexToPatientMm, patientToPixelLut } from '/dist/src/index.js';
// Internals used only to build synthetic inputs the way test/helpers/synthetic.ts does, and to
// say how large a GPU batch was (the library's public API does not expose these).
import { classifyOrientation } from '/dist/src/model/orientation.js';
import { dicompylerPlaneKey, roundHalfEven2 } from '/dist/src/model/plane-key.js';
import { paletteColor } from '/dist/src/model/structure-set.js';
import { polygonCrossings } from '/dist/fallback/polygon-mask.js';
import { foldDispatch } from '/dist/src/gpu/dispatch.js';

const SEED = 20261125;
/** Workgroup size the WebGPU backend uses: min(64, device limits) (src/gpu/device.ts). */
const KERNEL_WORKGROUP_SIZE = 64;

const statusElement = document.getElementById('status');
function status(text) {
  if (statusElement) statusElement.textContent = text;
}

/** mulberry32, as test/helpers/point-in-path.ts. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (random, items) => items[Math.floor(random() * items.length)];
const int = (random, lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

// ---------------------------------------------------------------------------------- WebGPU probe

/** Whether this page has WebGPU, and what the adapter says about itself. Never throws. */
async function probeWebGpu() {
  const base = { isSecureContext: window.isSecureContext, userAgent: navigator.userAgent, nodeGlobals: typeof process !== 'undefined' };
  if (!('gpu' in navigator) || !navigator.gpu) return { ...base, available: false, reason: `navigator.gpu is missing (secure context: ${window.isSecureContext})` };
  let adapter;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { ...base, available: false, reason: `navigator.gpu.requestAdapter() threw: ${error && error.message}` };
  }
  if (!adapter) return { ...base, available: false, reason: 'navigator.gpu.requestAdapter() returned null (no WebGPU adapter; is --enable-unsafe-webgpu set?)' };
  const info = adapter.info ?? {};
  const l = adapter.limits;
  return {
    ...base,
    available: true,
    info: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, isFallbackAdapter: adapter.isFallbackAdapter ?? info.isFallbackAdapter },
    limits: {
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
    },
  };
}

// ------------------------------------------------------------------------------------ comparison

/** Appends to `out` how arrays a (webgpu) and b (cpu) differ, bit for bit (Object.is). */
function diffArrays(label, a, b, out) {
  if (a.length !== b.length) {
    out.push(`${label}: length ${a.length} (webgpu) vs ${b.length} (cpu)`);
    return;
  }
  let first = -1;
  let count = 0;
  for (let i = 0; i < a.length; i += 1) {
    if (!Object.is(a[i], b[i])) {
      count += 1;
      if (first < 0) first = i;
    }
  }
  if (count > 0) out.push(`${label}: ${count} of ${a.length} values differ, first [${first}]: ${a[first]} (webgpu) vs ${b[first]} (cpu)`);
}

function same(label, a, b, out) {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  if (x !== y) out.push(`${label}: ${x} (webgpu) vs ${y} (cpu)`);
}

/** Differences between two calculateDvhs results (webgpu first), as messages. */
function diffDvhResults(gpu, cpu) {
  const out = [];
  if (gpu.backend.kind !== 'webgpu') out.push(`the webgpu run reports backend ${gpu.backend.kind}`);
  if (cpu.backend.kind !== 'cpu') out.push(`the cpu run reports backend ${cpu.backend.kind}`);
  same('algorithm', gpu.algorithm, cpu.algorithm, out);
  same('errors', gpu.errors, cpu.errors, out);
  same('ROIs with a DVH', gpu.dvhs.map((d) => [d.roi, d.name]), cpu.dvhs.map((d) => [d.roi, d.name]), out);
  const n = Math.min(gpu.dvhs.length, cpu.dvhs.length);
  for (let k = 0; k < n; k += 1) {
    const g = gpu.dvhs[k].dvh;
    const c = cpu.dvhs[k].dvh;
    const label = `ROI ${gpu.dvhs[k].roi} "${gpu.dvhs[k].name}"`;
    diffArrays(`${label} counts`, g.counts, c.counts, out);
    diffArrays(`${label} bins`, g.bins, c.bins, out);
    if (!Object.is(g.volume, c.volume)) out.push(`${label} volume: ${g.volume} (webgpu) vs ${c.volume} (cpu)`);
    same(`${label} type/units/notes/colour/dose range`, [g.type, g.doseUnits, g.volumeUnits, g.notes, g.color, g.doseRange], [c.type, c.doseUnits, c.volumeUnits, c.notes, c.color, c.doseRange], out);
  }
  return out;
}

function describeResult(result) {
  const volume = result.dvhs.reduce((v, d) => v + d.dvh.volume, 0);
  const bins = result.dvhs.reduce((v, d) => v + d.dvh.counts.length, 0);
  const codes = [...new Set(result.errors.map((e) => e.code))];
  return `${result.dvhs.length} DVHs (${bins} bins, ${volume.toFixed(3)} cm3 in all), ${result.errors.length} ROI errors${codes.length ? ` (${codes.join(', ')})` : ''}`;
}

async function outcome(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: { name: error && error.name, code: error && error.code, message: String(error && error.message) } };
  }
}

/** calculateDvhs on both backends; identical when every DVH and error is, bit for bit. */
async function dvhParity(structure, dose, options, backends) {
  const gpu = await outcome(calculateDvhs(structure, dose, { ...options, backend: backends.gpu }));
  const cpu = await outcome(calculateDvhs(structure, dose, { ...options, backend: backends.cpu }));
  if (!gpu.ok || !cpu.ok) {
    const identical = !gpu.ok && !cpu.ok && JSON.stringify(gpu.error) === JSON.stringify(cpu.error);
    const say = (o) => (o.ok ? describeResult(o.value) : `threw ${o.error.code ?? o.error.name}: ${o.error.message}`);
    return { identical, details: `webgpu ${say(gpu)}; cpu ${say(cpu)}`, differences: identical ? [] : ['outcomes differ'] };
  }
  const differences = diffDvhResults(gpu.value, cpu.value);
  return { identical: differences.length === 0, details: describeResult(cpu.value), differences, result: cpu.value, gpuResult: gpu.value };
}

/**
 * The precise algorithm's documented GPU contract (src/gpu/webgpu-backend.ts: the spread kernel
 * works in float32, "within about 1e-7 of the volume"), with the bounds of the Node half
 * (test/parity/webgpu-node.test.ts): volume to 9 decimals, mean within 1e-6 (relative),
 * D98/D95/D50/D2 within 0.005 cGy, max within 1e-4 Gy, every cumulative value within 1e-5 of the
 * volume. Returns the violations and the largest cumulative difference.
 */
function preciseTolerance(gpu, cpu) {
  const violations = [];
  let worst = 0;
  let worstAt = '';
  if (gpu.dvhs.length !== cpu.dvhs.length) violations.push(`${gpu.dvhs.length} DVHs (webgpu) vs ${cpu.dvhs.length} (cpu)`);
  for (let i = 0; i < Math.min(gpu.dvhs.length, cpu.dvhs.length); i += 1) {
    const d = gpu.dvhs[i].dvh;
    const c = cpu.dvhs[i].dvh;
    const label = `ROI ${cpu.dvhs[i].roi} "${cpu.dvhs[i].name}"`;
    if (!(Math.abs(d.volume - c.volume) < 5e-10)) violations.push(`${label} volume ${d.volume} vs ${c.volume}`);
    if (!(Math.abs(d.mean - c.mean) / c.mean < 1e-6)) violations.push(`${label} mean ${d.mean} vs ${c.mean}`);
    for (const statistic of ['D98', 'D95', 'D50', 'D2']) {
      const x = d.statistic(statistic).value;
      const y = c.statistic(statistic).value;
      if (!(Math.abs(x - y) <= 5e-5)) violations.push(`${label} ${statistic} ${x} vs ${y} Gy (bound 0.005 cGy)`);
    }
    if (!(Math.abs(d.max - c.max) < 1e-4)) violations.push(`${label} max ${d.max} vs ${c.max}`);
    const n = Math.max(d.counts.length, c.counts.length);
    for (let k = 0; k < n; k += 1) {
      const difference = Math.abs((d.counts[k] ?? 0) - (c.counts[k] ?? 0)) / c.volume;
      if (difference > worst) {
        worst = difference;
        worstAt = `${label} at ${(k / 1000).toFixed(3)} Gy`;
      }
    }
  }
  if (!(worst < 1e-5)) violations.push(`largest cumulative difference ${worst} of the volume (${worstAt}), bound 1e-5`);
  return { violations, worst, worstAt };
}

/** backend.histogram on both backends; the integer results (counts per target, samples per layer) must be identical. */
async function histogramParity(request, backends) {
  const g = await backends.gpuBackend.histogram(request);
  const c = await backends.cpuBackend.histogram(request);
  const out = [];
  if (g.targets.length !== c.targets.length) out.push(`targets: ${g.targets.length} (webgpu) vs ${c.targets.length} (cpu)`);
  let extremes = 0;
  for (let t = 0; t < Math.min(g.targets.length, c.targets.length); t += 1) {
    diffArrays(`target ${t} counts`, g.targets[t].counts, c.targets[t].counts, out);
    if (!Object.is(g.targets[t].minCGy, c.targets[t].minCGy) || !Object.is(g.targets[t].maxCGy, c.targets[t].maxCGy)) extremes += 1;
  }
  same('samples counted per job and layer', g.counted, c.counted, out);
  const samples = c.counted.flat().reduce((a, b) => a + b, 0);
  const binned = c.targets.reduce((a, t) => a + t.counts.reduce((x, y) => x + y, 0), 0);
  return { differences: out, samples, binned, extremes };
}

// ------------------------------------------------------------------------- synthetic model inputs

const ORIENTATION_COSINES = {
  HFS: [1, 0, 0, 0, 1, 0],
  HFP: [-1, 0, 0, 0, -1, 0],
  FFS: [-1, 0, 0, 0, 1, 0],
  FFP: [1, 0, 0, 0, -1, 0],
  HFDL: [0, -1, 0, 1, 0, 0],
  HFDR: [0, 1, 0, -1, 0, 0],
  FFDL: [0, 1, 0, 1, 0, 0],
  FFDR: [0, -1, 0, -1, 0, 0],
};

/** A DoseGrid as test/helpers/synthetic.ts makeDoseGrid builds it (offsets relative to the origin). */
function makeDoseGrid(spec) {
  const { rows, columns, frames, originMm, pixelSpacingMm, frameOffsetsMm: offsets, orientation, scaling } = spec;
  const cosines = ORIENTATION_COSINES[orientation];
  const entry = classifyOrientation(cosines);
  const frameOffsetsMm = Float64Array.from(offsets);
  const normalZ = entry.headFirst ? 1 : -1;
  const frameZMm = Float64Array.from(frameOffsetsMm, (o) => originMm[2] + normalZ * o);
  const geometry = Object.freeze({
    rows,
    columns,
    frames,
    originMm: [...originMm],
    rowCosines: cosines.slice(0, 3),
    columnCosines: cosines.slice(3, 6),
    pixelSpacingMm: [...pixelSpacingMm],
    frameOffsetsMm,
    frameZMm,
    orientation: entry.name,
    xLutIndex: entry.xLutIndex,
    headFirst: entry.headFirst,
  });
  const [dr, dc] = pixelSpacingMm;
  const pixels = new Uint32Array(rows * columns * frames);
  for (let f = 0; f < frames; f += 1) {
    for (let r = 0; r < rows; r += 1) {
      for (let c = 0; c < columns; c += 1) {
        const x = originMm[0] + cosines[0] * dc * c + cosines[3] * dr * r;
        const y = originMm[1] + cosines[1] * dc * c + cosines[4] * dr * r;
        const value = Math.round(spec.dose(x, y, frameZMm[f]) / scaling);
        if (!(value >= 0 && value <= 0xffffffff)) throw new Error(`makeDoseGrid: stored value ${value} outside Uint32`);
        pixels[(f * rows + r) * columns + c] = value;
      }
    }
  }
  return new DoseGrid(geometry, pixels, scaling, { sopInstanceUid: '2.25.1', doseUnits: spec.doseUnits ?? 'GY', source: spec.source ?? 'synthetic-dose' });
}

/** A StructureSet as test/helpers/synthetic.ts makeStructureSet builds it. rois: [{number, name, planes: [{zMm, rings: [[[x, y], ...]]}]}]. */
function makeStructureSet(rois) {
  const built = rois.map((spec) => {
    const byKey = new Map();
    for (const plane of spec.planes) {
      const key = dicompylerPlaneKey(plane.zMm);
      let entry = byKey.get(key);
      if (!entry) {
        entry = { zMm: roundHalfEven2(plane.zMm), contours: [] };
        byKey.set(key, entry);
      }
      for (const ring of plane.rings) {
        const pointsMm = new Float64Array(ring.length * 3);
        ring.forEach((p, k) => {
          pointsMm[k * 3] = p[0];
          pointsMm[k * 3 + 1] = p[1];
          pointsMm[k * 3 + 2] = plane.zMm;
        });
        entry.contours.push(Object.freeze({ geometricType: 'CLOSED_PLANAR', pointsMm, pointCount: ring.length }));
      }
    }
    const planes = [...byKey.entries()].map(([key, p]) => Object.freeze({ zMm: p.zMm, key, contours: Object.freeze(p.contours) })).sort((a, b) => a.zMm - b.zMm);
    return Object.freeze({ number: spec.number, name: spec.name, color: paletteColor(spec.number), colorFromFile: false, planes: Object.freeze(planes), empty: planes.length === 0 });
  });
  return Object.freeze({ sopInstanceUid: '2.25.2', label: 'synthetic', source: 'synthetic-rtstruct', rois: Object.freeze(built) });
}

/** Patient-space bounds of a grid's voxel centres: {x0, x1, y0, y1, z: frame z values}. */
function gridBounds(grid) {
  const g = grid.geometry;
  const a = indexToPatientMm(g, 0, 0, 0);
  const b = indexToPatientMm(g, g.columns - 1, g.rows - 1, 0);
  return { x0: Math.min(a[0], b[0]), x1: Math.max(a[0], b[0]), y0: Math.min(a[1], b[1]), y1: Math.max(a[1], b[1]), z: [...g.frameZMm] };
}

/** A star-shaped ring (simple polygon) around (cx, cy), radii in [rMin, rMax], n vertices; reversed: clockwise. */
function starRing(random, cx, cy, rMin, rMax, n, reversed = false) {
  const ring = [];
  for (let k = 0; k < n; k += 1) {
    const a = (2 * Math.PI * k) / n;
    const r = rMin + random() * (rMax - rMin);
    ring.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return reversed ? ring.reverse() : ring;
}

/** Random vertices in a box (self-intersecting in general); with `snap` on lattice points. */
function scribbleRing(random, box, snapXs, snapYs) {
  const n = int(random, 3, 32);
  const snap = snapXs && random() < 0.4;
  const ring = [];
  for (let k = 0; k < n; k += 1) {
    if (snap) ring.push([pick(random, snapXs), pick(random, snapYs)]);
    else ring.push([box.x0 + (random() * 1.4 - 0.2) * (box.x1 - box.x0), box.y0 + (random() * 1.4 - 0.2) * (box.y1 - box.y0)]);
  }
  return ring;
}

/** One to three rings: a star with (sometimes) a hole and an island, or scribbles. */
function randomRings(random, box, snapXs, snapYs) {
  const w = Math.max(box.x1 - box.x0, 1e-3);
  const h = Math.max(box.y1 - box.y0, 1e-3);
  if (random() < 0.5) {
    const cx = box.x0 + random() * w;
    const cy = box.y0 + random() * h;
    const r = (0.15 + random() * 0.5) * Math.max(w, h);
    const rings = [starRing(random, cx, cy, r * 0.6, r, int(random, 3, 40))];
    if (random() < 0.5) rings.push(starRing(random, cx, cy, r * 0.2, r * 0.4, int(random, 3, 20), true)); // hole
    if (rings.length === 2 && random() < 0.5) rings.push(starRing(random, cx, cy, r * 0.05, r * 0.12, int(random, 3, 8))); // island in the hole
    return rings;
  }
  return Array.from({ length: int(random, 1, 3) }, () => scribbleRing(random, box, snapXs, snapYs));
}

function latticeValues(grid) {
  const { columnLutMm, rowLutMm } = patientToPixelLut(grid.geometry);
  return grid.geometry.xLutIndex === 1 ? { xs: [...rowLutMm], ys: [...columnLutMm] } : { xs: [...columnLutMm], ys: [...rowLutMm] };
}

/** A random grid of the given orientation and random ROIs on it (some planes off-grid, off-frame, or beyond the frames). */
function randomModel(random, orientation, opts = {}) {
  const rows = opts.rows ?? int(random, 4, 40);
  const columns = opts.columns ?? int(random, 4, 40);
  const frames = opts.frames ?? int(random, 2, 10);
  const spacing = [pick(random, [1, 2.5, 3, 0.5 + random() * 3.5]), pick(random, [1, 2.5, 3, 0.5 + random() * 3.5])];
  const frameGap = pick(random, [1, 2.5, 3, 2]);
  const origin = [Math.round((random() * 200 - 100) * 10) / 10, Math.round((random() * 200 - 100) * 10) / 10, Math.round((random() * 100 - 50) * 10) / 10];
  const peak = 20 + random() * 50;
  const centre = [random(), random(), random()];
  const noise = random() * 0.3;
  const spec = {
    rows,
    columns,
    frames,
    originMm: origin,
    pixelSpacingMm: spacing,
    frameOffsetsMm: Array.from({ length: frames }, (_, f) => f * frameGap),
    orientation,
    scaling: pick(random, [1e-3, 5e-4, 2.5e-5, 1e-2]),
    dose: () => 0,
  };
  // The dose: a Gaussian around a random point of the grid, a gradient, and per-voxel noise.
  const extentX = columns * spacing[1];
  const extentY = rows * spacing[0];
  const sigma2 = (0.3 * Math.max(extentX, extentY)) ** 2;
  const cosines = ORIENTATION_COSINES[orientation];
  const cx = origin[0] + cosines[0] * spacing[1] * columns * centre[0] + cosines[3] * spacing[0] * rows * centre[1];
  const cy = origin[1] + cosines[1] * spacing[1] * columns * centre[0] + cosines[4] * spacing[0] * rows * centre[1];
  const cz = origin[2] + centre[2] * frameGap * frames * (classifyOrientation(cosines).headFirst ? 1 : -1);
  spec.dose = (x, y, z) => Math.max(0, peak * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2) / sigma2) + 0.02 * (x - cx) + noise * random());
  const grid = makeDoseGrid(spec);
  const bounds = gridBounds(grid);
  const { xs, ys } = latticeValues(grid);
  const roiCount = opts.rois ?? int(random, 1, 5);
  const rois = [];
  for (let n = 0; n < roiCount; n += 1) {
    const planeCount = int(random, 2, Math.min(5, Math.max(2, frames + 1)));
    const zs = new Set();
    while (zs.size < planeCount) {
      const roll = random();
      if (roll < 0.7) zs.add(pick(random, bounds.z));
      else if (roll < 0.85) zs.add(pick(random, bounds.z) + (random() - 0.5) * 0.8); // near a frame (threshold 0.5 mm)
      else zs.add(Math.max(...bounds.z) + frameGap * int(random, 1, 3)); // beyond the frames: counted, not binned
    }
    const box = { x0: bounds.x0 - spacing[1], x1: bounds.x1 + spacing[1], y0: bounds.y0 - spacing[0], y1: bounds.y1 + spacing[0] };
    rois.push({ number: n + 1, name: `roi-${n + 1}`, planes: [...zs].map((zMm) => ({ zMm, rings: randomRings(random, box, xs, ys) })) });
  }
  return { grid, structureSet: makeStructureSet(rois), rois };
}

// ------------------------------------------------------------------------- direct kernel requests

/** A random lattice axis of n samples, increasing or decreasing. */
function axis(random, n, decreasing) {
  const step = (decreasing ? -1 : 1) * (0.2 + random() * 3);
  const start = random() * 10 - 5;
  return Float64Array.from({ length: n }, (_, k) => start + k * step);
}

function toRings(rings) {
  return rings.map((ring) => Float64Array.from(ring.flat()));
}

/**
 * A random HistogramRequest of voxel-centre jobs (the ones the GPU runs): random lattices
 * (`kind`: 'increasing', 'decreasing' (either or both axes), 'transposed'), random stored doses
 * (some above the binned range, some on bin edges), layers with holes, scribbles, no rings or
 * count-only targets, jobs sharing a plane. 'mixed' adds supersampled jobs, which the WebGPU
 * backend runs on its CPU kernels in the same call.
 */
function randomRequest(random, kind) {
  const targetCount = int(random, 1, 4);
  const unitsToCGy = random() < 0.5 ? 100 : 1;
  const doseGridScaling = pick(random, [1e-2, 1e-3, 2.5e-4, 1e-5 + random() * 1e-3]);
  const binWidthCGy = random() < 0.7 ? 1 : pick(random, [0.1, 0.5, 2.5]);
  const maxStored = int(random, 1, 60000);
  const binCount = Math.max(1, Math.floor(((maxStored * doseGridScaling * unitsToCGy) / binWidthCGy) * (0.6 + random() * 0.5)));
  const jobs = [];
  const jobCount = int(random, 1, 4);
  for (let j = 0; j < jobCount; j += 1) {
    const previous = jobs[jobs.length - 1];
    let lattice;
    let plane;
    if (previous && random() < 0.3) {
      ({ lattice, plane } = previous); // same dose plane object: the GPU backend bins it once
    } else {
      const nx = int(random, 1, 48);
      const ny = int(random, 1, 48);
      const decreasing = kind === 'decreasing' ? [random() < 0.7, random() < 0.7] : kind === 'increasing' ? [false, false] : [random() < 0.3, random() < 0.3];
      const transposed = kind === 'transposed' || (kind === 'mixed' && random() < 0.3);
      const factor = kind === 'mixed' && random() < 0.5 ? pick(random, [2, 3]) : 1;
      lattice = { xs: axis(random, nx * factor, decreasing[0]), ys: axis(random, ny * factor, decreasing[1]) };
      const rows = transposed ? nx : ny;
      const columns = transposed ? ny : nx;
      const values = new Float64Array(rows * columns);
      for (let v = 0; v < values.length; v += 1) {
        // Mostly whole stored values; some exactly on a bin edge; a few fractional (interpolated planes).
        const roll = random();
        if (roll < 0.1) values[v] = Math.round((int(random, 0, binCount) * binWidthCGy) / (doseGridScaling * unitsToCGy));
        else if (roll < 0.2) values[v] = random() * maxStored;
        else values[v] = int(random, 0, maxStored);
      }
      plane = { values, rows, columns, transposed, factorX: factor, factorY: factor };
    }
    const layers = [];
    const layerCount = int(random, 0, 5);
    for (let l = 0; l < layerCount; l += 1) {
      const { xs, ys } = lattice;
      const box = { x0: Math.min(xs[0], xs[xs.length - 1]), x1: Math.max(xs[0], xs[xs.length - 1]), y0: Math.min(ys[0], ys[ys.length - 1]), y1: Math.max(ys[0], ys[ys.length - 1]) };
      const rings = random() < 0.08 ? [] : toRings(randomRings(random, box, [...xs], [...ys]));
      layers.push({ rings, target: random() < 0.15 ? -1 : int(random, 0, targetCount - 1) });
    }
    jobs.push({ lattice, plane, layers });
  }
  return { binning: { doseGridScaling, unitsToCGy, binWidthCGy, binCount }, targetCount, jobs };
}

/** Rows of a GPU batch: one per window row of every layer of every voxel-centre job. */
function gpuRowCount(jobs) {
  let rows = 0;
  for (const job of jobs) {
    if (job.plane.factorX !== 1 || job.plane.factorY !== 1 || job.plane.spread) continue;
    for (const layer of job.layers) {
      const c = polygonCrossings(job.lattice, { rings: layer.rings });
      rows += Math.max(0, c.rowEnd - c.rowStart);
    }
  }
  return rows;
}

// ----------------------------------------------------------------------------------------- cases

async function fetchBytes(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Runs every parity case. Returns {adapter, cases: [{name, identical, details, differences, ms,
 * contract}], notes, totalMs}. `identical` is always the exact (bit-for-bit) comparison;
 * `contract` is 'exact' for every case except the example's precise algorithm ('tolerance', with
 * `withinTolerance` and `tolerance`). A case that throws is reported as not identical, with the
 * error. options: {only: RegExp source to select cases by name, big: false to leave out the
 * folded-dispatch case}.
 */
async function runParity(options = {}) {
  const started = performance.now();
  const probe = await probeWebGpu();
  if (!probe.available) throw new Error(`WebGPU is not available in this page: ${probe.reason}`);
  const gpuBackend = await createBackend({ backend: 'webgpu' });
  const cpuBackend = await createBackend({ backend: 'cpu' });
  const adapter = { ...gpuBackend.info, name: gpuBackend.info.adapter, probe, dosekitVersion: VERSION };
  const backends = { gpu: gpuBackend, cpu: cpuBackend, gpuBackend, cpuBackend };
  const cases = [];
  const notes = [];
  const only = options.only ? new RegExp(options.only) : null;

  async function run(name, body) {
    if (only && !only.test(name)) return;
    status(`running ${name}…`);
    const t0 = performance.now();
    let entry;
    try {
      const r = await body();
      entry = { name, identical: r.identical, details: r.details, differences: r.differences ?? [], contract: r.contract ?? 'exact' };
      if (entry.contract === 'tolerance') Object.assign(entry, { withinTolerance: r.withinTolerance, tolerance: r.tolerance });
    } catch (error) {
      entry = { name, identical: false, contract: 'exact', details: `threw: ${error && (error.stack || error.message || error)}`, differences: [`threw ${error && error.code ? `${error.code}: ` : ''}${error && error.message}`] };
    }
    entry.ms = Math.round(performance.now() - t0);
    cases.push(entry);
  }

  // (b) The bundled example: every ROI, both algorithms, webgpu vs cpu given as strings.
  const exampleBytes = await Promise.all([fetchBytes('/examples/rtss.dcm'), fetchBytes('/examples/rtdose_substitute.dcm')]);
  for (const algorithm of ['dicompyler', 'precise']) {
    await run(`example rtss.dcm + rtdose_substitute.dcm, ${algorithm}`, async () => {
      const structureSet = DicomParser.fromBytes(exampleBytes[0], '/examples/rtss.dcm').toStructureSet();
      const dose = DicomParser.fromBytes(exampleBytes[1], '/examples/rtdose_substitute.dcm').toDoseGrid();
      const r = await dvhParity(structureSet, dose, { algorithm }, { gpu: 'webgpu', cpu: 'cpu' });
      const g = dose.geometry;
      const details = `${structureSet.rois.length} ROIs on a ${g.columns}x${g.rows}x${g.frames} ${g.orientation} grid: ${r.details}`;
      if (algorithm !== 'precise' || !r.gpuResult) return { ...r, details };
      // The precise algorithm's spread kernel is float32 on the GPU: besides the exact comparison
      // (reported as it is), say whether it meets its documented tolerance.
      const t = preciseTolerance(r.gpuResult, r.result);
      return { ...r, details, contract: 'tolerance', withinTolerance: t.violations.length === 0, tolerance: `largest cumulative difference ${t.worst.toExponential(2)} of the volume (${t.worstAt || 'none'})${t.violations.length ? `; violations: ${t.violations.join('; ')}` : ''}` };
    });
  }

  // (c) Seeded random kernel requests straight to backend.histogram.
  let extremesDiffer = 0;
  for (const [k, kind] of ['increasing', 'decreasing', 'transposed', 'mixed'].entries()) {
    await run(`random lattices (${kind} axes${kind === 'mixed' ? ', GPU and supersampled CPU jobs in one request' : ''}), 40 requests`, async () => {
      const random = mulberry32(SEED + k);
      const differences = [];
      let samples = 0;
      let binned = 0;
      let layers = 0;
      let rows = 0;
      for (let q = 0; q < 40; q += 1) {
        const request = randomRequest(random, kind);
        layers += request.jobs.reduce((n, j) => n + j.layers.length, 0);
        rows += gpuRowCount(request.jobs);
        const r = await histogramParity(request, backends);
        samples += r.samples;
        binned += r.binned;
        extremesDiffer += r.extremes;
        for (const d of r.differences) differences.push(`request ${q}: ${d}`);
      }
      return { identical: differences.length === 0, details: `${layers} layers, ${rows} GPU rows, ${samples} samples counted, ${binned} binned`, differences };
    });
  }
  await run('empty masks straight to the kernels (no rings, rings off the lattice, a zero-row batch)', async () => {
    const xs = Float64Array.from({ length: 6 }, (_, i) => i);
    const ys = Float64Array.from({ length: 5 }, (_, i) => 10 - i);
    const plane = { values: Float64Array.from({ length: 30 }, (_, i) => i * 7), rows: 5, columns: 6, transposed: false, factorX: 1, factorY: 1 };
    const binning = { doseGridScaling: 0.01, unitsToCGy: 100, binWidthCGy: 1, binCount: 300 };
    const differences = [];
    const off = Float64Array.from([100, 100, 101, 100, 101, 101]);
    const between = Float64Array.from([0.2, 9.2, 0.8, 9.2, 0.8, 9.8, 0.2, 9.8]); // between sample points: inside no sample
    for (const [label, layers] of [
      ['only empty layers (zero GPU rows)', [{ rings: [], target: 0 }, { rings: [off], target: 1 }]],
      ['a mask with rows but no sample inside', [{ rings: [between], target: 0 }]],
      ['empty layers beside a full one', [{ rings: [], target: 0 }, { rings: [Float64Array.from([-1, 5.5, 6, 5.5, 6, 11, -1, 11])], target: 1 }, { rings: [between], target: -1 }]],
    ]) {
      const request = { binning, targetCount: 2, jobs: [{ lattice: { xs, ys }, plane, layers }, { lattice: { xs, ys }, plane, layers: [] }] };
      const r = await histogramParity(request, backends);
      for (const d of r.differences) differences.push(`${label}: ${d}`);
    }
    return { identical: differences.length === 0, details: '3 requests', differences };
  });

  // (c) Seeded random synthetic models through calculateDvhs, every patient orientation.
  for (const [k, orientation] of Object.keys(ORIENTATION_COSINES).entries()) {
    await run(`random models ${orientation} (dicompyler), 6 grids`, async () => {
      const random = mulberry32(SEED + 100 + k);
      const differences = [];
      const parts = [];
      for (let m = 0; m < 6; m += 1) {
        const { grid, structureSet } = randomModel(random, orientation);
        const calcOptions = { algorithm: 'dicompyler' };
        if (m % 3 === 1) calcOptions.interpolationSegmentsBetweenPlanes = int(random, 1, 2); // interpolated (fractional) dose planes
        if (m % 3 === 2 && random() < 0.5) calcOptions.limitCGy = int(random, 100, 3000);
        if (m % 3 === 2 && random() < 0.5) calcOptions.calculateFullVolume = false;
        const r = await dvhParity(structureSet, grid, calcOptions, backends);
        const g = grid.geometry;
        parts.push(`${g.columns}x${g.rows}x${g.frames} ${JSON.stringify(calcOptions)}: ${r.details}`);
        for (const d of r.differences) differences.push(`model ${m}: ${d}`);
      }
      return { identical: differences.length === 0, details: parts.join('; '), differences };
    });
  }

  await run('holes and islands (outer ring, hole, island in the hole, overlapping ring), HFP (both axes decreasing)', async () => {
    const random = mulberry32(SEED + 200);
    const grid = makeDoseGrid({ rows: 40, columns: 40, frames: 4, originMm: [10, 10, 0], pixelSpacingMm: [0.5, 0.5], frameOffsetsMm: [0, 1, 2, 3], orientation: 'HFP', scaling: 1e-3, dose: (x, y, z) => 30 + 10 * Math.sin(x / 2) * Math.cos(y / 3) + z + random() });
    // HFP: x and y decrease with column and row index, from (10, 10) to (-9.5, -9.5).
    const box = (x0, y0, x1, y1) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
    const rings = [box(-8, -8, 8, 8), box(-4, -4, 4, 4).reverse(), box(-1, -1, 1, 1), box(-9.3, 5, -2.1, 9)];
    const structureSet = makeStructureSet([
      { number: 1, name: 'outer+hole+island+overlap', planes: [0, 1, 2, 3].map((zMm) => ({ zMm, rings })) },
      { number: 2, name: 'star with hole', planes: [0, 1, 2].map((zMm) => ({ zMm, rings: [starRing(random, 0, 0, 6, 9, 50), starRing(random, 0.5, 0.5, 2, 4, 30, true)] })) },
    ]);
    return dvhParity(structureSet, grid, { algorithm: 'dicompyler' }, backends);
  });

  await run('64 ROIs on one grid', async () => {
    const random = mulberry32(SEED + 300);
    const { grid, structureSet } = randomModel(random, 'HFS', { rows: 64, columns: 64, frames: 12, rois: 64 });
    return dvhParity(structureSet, grid, { algorithm: 'dicompyler' }, backends);
  });

  await run('a 20 000-point contour (and a 20 000-point contour with a hole)', async () => {
    const random = mulberry32(SEED + 400);
    const grid = makeDoseGrid({ rows: 128, columns: 128, frames: 5, originMm: [-64, -64, -4], pixelSpacingMm: [1, 1], frameOffsetsMm: [0, 2, 4, 6, 8], orientation: 'HFS', scaling: 1e-3, dose: (x, y, z) => 50 * Math.exp(-(x * x + y * y) / 2000) + 0.1 * z + random() * 0.5 });
    const wavy = (r0, amp, n, phase) => {
      const ring = [];
      for (let k = 0; k < n; k += 1) {
        const a = (2 * Math.PI * k) / n;
        const r = r0 + amp * Math.sin(37 * a + phase) + (random() - 0.5);
        ring.push([r * Math.cos(a), r * Math.sin(a)]);
      }
      return ring;
    };
    const zs = [-4, -2, 0, 2, 4];
    const structureSet = makeStructureSet([
      { number: 1, name: 'wavy-20000', planes: zs.map((zMm, i) => ({ zMm, rings: [wavy(40, 8, 20000, i)] })) },
      { number: 2, name: 'wavy-20000-with-hole', planes: zs.slice(1).map((zMm, i) => ({ zMm, rings: [wavy(55, 3, 20000, i), wavy(20, 5, 20000, -i).reverse()] })) },
    ]);
    const r = await dvhParity(structureSet, grid, { algorithm: 'dicompyler' }, backends);
    return { ...r, details: `20 000 vertices per ring: ${r.details}` };
  });

  await run('empty masks through calculateDvhs (between voxel centres, off the grid) beside a normal ROI', async () => {
    const grid = makeDoseGrid({ rows: 10, columns: 10, frames: 3, originMm: [0, 0, 0], pixelSpacingMm: [2, 2], frameOffsetsMm: [0, 2, 4], orientation: 'HFS', scaling: 1e-3, dose: (x, y) => 10 + x + y });
    const box = (x0, y0, x1, y1) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
    const structureSet = makeStructureSet([
      { number: 1, name: 'between-centres', planes: [0, 2, 4].map((zMm) => ({ zMm, rings: [box(2.2, 2.2, 3.8, 3.8)] })) },
      { number: 2, name: 'off-grid', planes: [0, 2].map((zMm) => ({ zMm, rings: [box(100, 100, 110, 110)] })) },
      { number: 3, name: 'normal', planes: [0, 2, 4].map((zMm) => ({ zMm, rings: [box(3, 3, 13, 11)] })) },
    ]);
    const r = await dvhParity(structureSet, grid, { algorithm: 'dicompyler' }, backends);
    const errors = r.result ? r.result.errors.map((e) => `${e.name}: ${e.code}`) : [];
    if (r.result && errors.filter((e) => e.endsWith('E_NO_DOSE_OVERLAP')).length !== 2) r.differences.push(`expected two E_NO_DOSE_OVERLAP ROIs, got ${JSON.stringify(errors)}`);
    return { ...r, identical: r.differences.length === 0 };
  });

  await run('one-voxel grids (1x1x1 with thicknessMm, 1x1x2)', async () => {
    const differences = [];
    const parts = [];
    const box = (x0, y0, x1, y1) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
    const one = makeDoseGrid({ rows: 1, columns: 1, frames: 1, originMm: [5, -3, 7], pixelSpacingMm: [2.5, 2.5], frameOffsetsMm: [0], orientation: 'HFS', scaling: 1e-3, dose: () => 12.345 });
    const oneRois = makeStructureSet([
      { number: 1, name: 'covers-the-voxel', planes: [{ zMm: 7, rings: [box(4, -4, 6, -2)] }] },
      { number: 2, name: 'misses-the-voxel', planes: [{ zMm: 7, rings: [box(6, -4, 8, -2)] }] },
    ]);
    const a = await dvhParity(oneRois, one, { algorithm: 'dicompyler', thicknessMm: 3 }, backends);
    parts.push(`1x1x1: ${a.details}`);
    differences.push(...a.differences.map((d) => `1x1x1: ${d}`));
    const two = makeDoseGrid({ rows: 1, columns: 1, frames: 2, originMm: [0, 0, 0], pixelSpacingMm: [3, 3], frameOffsetsMm: [0, 3], orientation: 'FFDR', scaling: 1e-3, dose: (x, y, z) => 20 + z });
    const twoRois = makeStructureSet([{ number: 1, name: 'covers-the-voxel', planes: [0, -3].map((zMm) => ({ zMm, rings: [box(-1, -1, 1, 1)] })) }]);
    const b = await dvhParity(twoRois, two, { algorithm: 'dicompyler' }, backends);
    parts.push(`1x1x2 FFDR: ${b.details}`);
    differences.push(...b.differences.map((d) => `1x1x2: ${d}`));
    if (a.result && a.result.dvhs.length !== 1) differences.push(`1x1x1: expected one DVH, got ${a.result.dvhs.length}`);
    if (b.result && b.result.dvhs.length !== 1) differences.push(`1x1x2: expected one DVH, got ${b.result.dvhs.length}`);
    return { identical: differences.length === 0, details: parts.join('; '), differences };
  });

  if (options.big !== false) {
    await run('more than 65535 workgroups of rows in one GPU batch (dispatch folded into a second dimension)', async () => {
      // 8 frames x 8 ROIs x ~66 000 rows of 2 columns: one calculateDvhs batch (8 dose planes)
      // of more than 65535 x 64 rows, so the dispatch folds into y; the last rows (in the
      // second y slice) are the high-y rows of the last ROI on the last frame.
      const rows = 66000;
      const frames = 8;
      const grid = makeDoseGrid({ rows, columns: 2, frames, originMm: [0, 0, 0], pixelSpacingMm: [1, 1], frameOffsetsMm: Array.from({ length: frames }, (_, f) => f), orientation: 'HFS', scaling: 1e-3, dose: (x, y, z) => ((y * 7 + x * 13 + z * 3) % 6000) / 100 });
      const box = (x0, y0, x1, y1) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
      const rois = Array.from({ length: 8 }, (_, k) => ({ number: k + 1, name: `tall-${k + 1}`, planes: Array.from({ length: frames }, (_, f) => ({ zMm: f, rings: [box(-0.5, k * 10 - 0.5, 1.5, rows - 0.5 - k * 3)] })) }));
      const structureSet = makeStructureSet(rois);
      const { xs, ys } = latticeValues(grid);
      const lattice = { xs: Float64Array.from(xs), ys: Float64Array.from(ys) };
      const batchRows = gpuRowCount(rois.flatMap((roi) => roi.planes.map((p) => ({ lattice, plane: { factorX: 1, factorY: 1 }, layers: [{ rings: toRings(p.rings) }] }))));
      const limit = probe.limits.maxComputeWorkgroupsPerDimension;
      const fold = foldDispatch(batchRows, KERNEL_WORKGROUP_SIZE, limit);
      const r = await dvhParity(structureSet, grid, { algorithm: 'dicompyler' }, backends);
      const workgroups = Math.ceil(batchRows / KERNEL_WORKGROUP_SIZE);
      const differences = [...r.differences];
      if (!(workgroups > 65535)) differences.push(`the batch has only ${workgroups} workgroups of rows (needs more than 65535)`);
      if (fold.y < 2) notes.push(`the adapter allows ${limit} workgroups per dimension, so ${workgroups} workgroups did not fold into a second dimension`);
      return { identical: differences.length === 0, details: `${batchRows} rows in one batch = ${workgroups} workgroups of ${KERNEL_WORKGROUP_SIZE} (> 65535), dispatched as ${fold.x} x ${fold.y} (limit ${limit}): ${r.details}`, differences };
    });
  }

  if (extremesDiffer > 0) {
    notes.push(`${extremesDiffer} histogram targets of the random kernel requests had different minCGy/maxCGy (the WebGPU point kernel does not track them: they stay +/-Infinity, or hold only the CPU-run jobs' extremes); not part of the integer contract, and unused by the dicompyler algorithm`);
  }
  gpuBackend.dispose();
  cpuBackend.dispose();
  const totalMs = Math.round(performance.now() - started);
  status(`done in ${totalMs} ms: ${cases.filter((c) => c.identical).length} of ${cases.length} cases identical`);
  return JSON.parse(JSON.stringify({ adapter, cases, notes, totalMs }));
}

window.probeWebGpu = probeWebGpu;
window.runParity = runParity;
window.parityReady = true;
status('ready');
