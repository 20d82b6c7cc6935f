// SPDX-License-Identifier: BSD-3-Clause
// Property-based tests (fast-check) of the polygon mask: random lattices and rings of every kind
// (convex, star-shaped, self-touching, self-intersecting, duplicate and collinear points,
// zero-area slivers and 1e-9 mm spikes, coordinates up to 1e5 mm from the origin, 3 to 20 000
// vertices, holes and islands); see test/helpers/polygon-arbitraries.ts.
//
// Every GPU comparison goes through the public backend: one histogram call per batch of cases,
// with a dose plane that holds each voxel's index and 1-cGy bins, so bin v of a layer's target
// counts whether voxel v is inside, and `counted` is the GPU's own sample count.
//
// A failure prints fast-check's seed and path. To keep one as a regression, add
// { "property": <name below>, "seed": <seed>, "path": "<path>", "note": "<what it caught>" } to
// fixtures/geometry-regressions.json: it is replayed with fc.assert(property, { seed, path })
// (valid while the property's arbitraries are unchanged); a counterexample can also be kept as a
// concrete "example" (see the fixture's comment). FC_RUNS_SCALE=10 runs ten times as many cases
// (a longer local soak).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { polygonMask } from '../../fallback/polygon-mask.js';
import type { ComputeBackend, HistogramRequest, PlaneHistogramJob } from '../../src/backend/compute-backend.js';
import { createWebGpuBackend } from '../../src/gpu/webgpu-backend.js';
import type { SampleLattice } from '../../src/kernels/polygon-mask.js';
import { bruteForceMask } from '../helpers/point-in-path.js';
import {
  type LatticeSpec,
  type MaskCase,
  areaCaseArb,
  buildLattice,
  dyadicMaskCaseArb,
  largeMaskCaseArb,
  maskCaseArb,
  reverseRing,
  rotateAndRepeat,
  translateRing,
} from '../helpers/polygon-arbitraries.js';
import { skipWithoutDevice, testDevice } from '../helpers/webgpu.js';

let gpu: ComputeBackend | null = null;
beforeAll(async () => {
  const device = await testDevice();
  if (device) gpu = createWebGpuBackend(device);
}, 120_000);
afterAll(() => gpu?.dispose());

const scale = Number(process.env.FC_RUNS_SCALE ?? '1') || 1;
const runs = (n: number) => Math.max(1, Math.round(n * scale));

// ---------------------------------------------------------------------------------------------
// Masks as whole-lattice arrays: full[j * nx + i] is 1 where sample (i, j) is inside.

interface Job {
  readonly spec: LatticeSpec;
  readonly lattice: SampleLattice;
  readonly rings: readonly Float64Array[];
  readonly transposed: boolean;
  readonly label: string;
}

interface FullMask {
  readonly full: Uint8Array;
  readonly count: number;
}

function jobOf(c: MaskCase, rings: readonly Float64Array[] = c.rings, spec: LatticeSpec = c.lattice, note = ''): Job {
  return { spec, lattice: buildLattice(spec), rings, transposed: c.transposed, label: `${c.kinds.join(', ')} on ${spec.nx}x${spec.ny}${note}` };
}

function cpuMask(job: Job): FullMask {
  const { nx, ny } = job.spec;
  const mask = polygonMask(job.lattice, { rings: job.rings });
  const full = new Uint8Array(nx * ny);
  const width = mask.colEnd - mask.colStart;
  for (let j = mask.rowStart; j < mask.rowEnd; j += 1) {
    for (let i = mask.colStart; i < mask.colEnd; i += 1) full[j * nx + i] = mask.inside[(j - mask.rowStart) * width + (i - mask.colStart)];
  }
  return { full, count: mask.count };
}

const identities = new Map<number, Float64Array>();
/** A dose plane whose stored value is the voxel index: with 1-cGy bins, bin v counts voxel v. */
function identityPlane(n: number): Float64Array {
  let values = identities.get(n);
  if (!values) {
    values = Float64Array.from({ length: n }, (_, v) => v);
    identities.set(n, values);
  }
  return values;
}

/**
 * The GPU's masks, every job in one histogram call: each job's dose plane holds the voxel index,
 * so with 1-cGy bins target t's bin v counts whether voxel v was inside layer t; `counted` gives
 * the GPU's own sample count. Stored transposed when the job says so (lattice x along rows).
 */
async function gpuMasks(backend: ComputeBackend, jobs: readonly Job[]): Promise<FullMask[]> {
  const binCount = jobs.reduce((m, job) => Math.max(m, job.spec.nx * job.spec.ny), 1);
  const planeJobs: PlaneHistogramJob[] = jobs.map((job, t) => {
    const { nx, ny } = job.spec;
    return {
      lattice: job.lattice,
      plane: { values: identityPlane(nx * ny), rows: job.transposed ? nx : ny, columns: job.transposed ? ny : nx, transposed: job.transposed, factorX: 1, factorY: 1 },
      layers: [{ rings: job.rings, target: t }],
    };
  });
  const request: HistogramRequest = { binning: { doseGridScaling: 1, unitsToCGy: 1, binWidthCGy: 1, binCount }, targetCount: jobs.length, jobs: planeJobs };
  const response = await backend.histogram(request);
  return jobs.map((job, t) => {
    const { nx, ny } = job.spec;
    const counts = response.targets[t].counts;
    const full = new Uint8Array(nx * ny);
    for (let v = 0; v < counts.length; v += 1) {
      const n = counts[v];
      if (n === 0) continue;
      if (n !== 1 || v >= nx * ny) throw new Error(`${job.label}: GPU histogram bin ${v} holds ${n} (expected one count per voxel of the ${nx * ny})`);
      const i = job.transposed ? Math.floor(v / ny) : v % nx;
      const j = job.transposed ? v % ny : Math.floor(v / nx);
      full[j * nx + i] = 1;
    }
    return { full, count: response.counted[t][0] };
  });
}

function sampleName(job: Job, i: number, j: number): string {
  return `sample (${i}, ${j}) at (${job.lattice.xs[i]}, ${job.lattice.ys[j]})`;
}

/** Throws, naming the first differing sample, unless the two masks are identical. */
function expectSameMask(job: Job, what: string, a: FullMask, b: FullMask): void {
  const { nx } = job.spec;
  let differing = 0;
  let first = -1;
  for (let v = 0; v < a.full.length; v += 1) {
    if (a.full[v] !== b.full[v]) {
      differing += 1;
      if (first < 0) first = v;
    }
  }
  if (differing > 0) {
    const i = first % nx;
    const j = Math.floor(first / nx);
    throw new Error(`${what} (${job.label}): ${differing} samples differ, first ${sampleName(job, i, j)}: ${a.full[first]} vs ${b.full[first]}`);
  }
  if (a.count !== b.count) throw new Error(`${what} (${job.label}): same samples inside but counts ${a.count} vs ${b.count}`);
}

/** Every job's GPU mask equals its CPU mask (skipped when no device and none required). */
async function expectGpuMatchesCpu(jobs: readonly Job[], cpu: readonly FullMask[]): Promise<void> {
  if (!gpu) return;
  const masks = await gpuMasks(gpu, jobs);
  jobs.forEach((job, k) => expectSameMask(job, 'GPU vs CPU', masks[k], cpu[k]));
}

const vertexCount = (rings: readonly Float64Array[]) => rings.reduce((n, r) => n + (r.length >> 1), 0);

/**
 * True when (tx, ty) lies on an edge as far as float64 can tell: for some edge the crossing test
 * considers (its endpoints on either side of the row), the two products the test compares,
 * a = (y1 - ty)(x0 - x1) and b = (x1 - tx)(y0 - y1), agree to 1e-12 of their scale. Both products
 * carry a relative rounding error of about 3 x 2^-53, so an orientation-dependent outcome needs
 * |a - b| below about 1e-15 (|a| + |b| + |dx dy|) (see the reversal property); 1e-12 leaves a wide
 * margin and still means a distance from the edge's line of about 1e-12 of the edge's length.
 */
function onEdge(tx: number, ty: number, rings: readonly Float64Array[]): boolean {
  for (const ring of rings) {
    const n = ring.length >> 1;
    if (n < 2) continue;
    let x0 = ring[(n - 1) * 2];
    let y0 = ring[(n - 1) * 2 + 1];
    for (let k = 0; k < n; k += 1) {
      const x1 = ring[k * 2];
      const y1 = ring[k * 2 + 1];
      if (y0 >= ty !== y1 >= ty) {
        const a = (y1 - ty) * (x0 - x1);
        const b = (x1 - tx) * (y0 - y1);
        if (Math.abs(a - b) <= 1e-12 * (Math.abs(a) + Math.abs(b) + Math.abs((x0 - x1) * (y0 - y1)))) return true;
      }
      x0 = x1;
      y0 = y1;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The properties, by name (the names the regression fixture uses).

const stats = { reversedCases: 0, reversedDiffering: 0, areaWorstRatio: 0, areaCoarse: [] as number[], areaFine: [] as number[] };

/**
 * 1. The CPU mask equals the point-by-point crossing test (matplotlib's loop, where samples x
 * vertices <= 4e6) and the GPU mask equals the CPU mask, for a batch of cases in one GPU call.
 */
async function checkCpuGpu(cases: readonly MaskCase[]): Promise<void> {
  const jobs = cases.map((c) => jobOf(c));
  const cpu = jobs.map(cpuMask);
  jobs.forEach((job, k) => {
    if (job.spec.nx * job.spec.ny * vertexCount(job.rings) > 4e6) return;
    const brute = bruteForceMask(job.lattice.xs, job.lattice.ys, job.rings);
    expectSameMask(job, 'CPU vs point-by-point crossing test', cpu[k], { full: brute, count: brute.reduce((s, v) => s + v, 0) });
  });
  await expectGpuMatchesCpu(jobs, cpu);
}

function cpuGpuProperty(arb: fc.Arbitrary<MaskCase[]>) {
  return fc.asyncProperty(arb, checkCpuGpu);
}

/**
 * 2. Area convergence. The cells of a lattice (the hx x hy rectangles centred on its samples)
 * cover the rings; a cell that meets no edge is wholly inside or wholly outside the even-odd
 * region, and so is its sample, so only cells meeting an edge can err, each by at most hx hy.
 * A segment spanning dx, dy meets at most dx/hx + 2 columns of closed cells and, summed over
 * them, at most 2 dy/hy + 2 (dx/hx + 2) cells. Hence
 *   |count hx hy - A| <= sum over edges of (2 (|dx| hy + |dy| hx) + 4 hx hy),
 * which is O(perimeter x h) and falls linearly as the lattice is refined (h, h/2, h/4, h/8 are
 * checked). A is the shoelace area with alternating signs by nesting depth, valid because the
 * rings are simple and strictly nested (self-intersecting rings are left to property 1, which
 * checks them against the point-by-point rule instead).
 */
function areaProperty() {
  return fc.property(areaCaseArb, ({ rings, area, levels }) => {
    const errors: number[] = [];
    for (const spec of levels) {
      const hx = Math.abs(spec.sx);
      const hy = Math.abs(spec.sy);
      const count = polygonMask(buildLattice(spec), { rings }).count;
      let bound = 0;
      for (const ring of rings) {
        const n = ring.length >> 1;
        for (let k = 0; k < n; k += 1) {
          const l = (k + 1) % n;
          bound += 2 * (Math.abs(ring[l * 2] - ring[k * 2]) * hy + Math.abs(ring[l * 2 + 1] - ring[k * 2 + 1]) * hx) + 4 * hx * hy;
        }
      }
      const error = Math.abs(count * hx * hy - area);
      // 1e-9 of the area: the shoelace sum's own rounding (coordinates are local to the centre).
      if (error > bound + 1e-9 * area) throw new Error(`area ${count * hx * hy} mm^2 on steps ${hx} x ${hy} vs shoelace ${area} mm^2: error ${error} over the bound ${bound}`);
      stats.areaWorstRatio = Math.max(stats.areaWorstRatio, error / bound);
      errors.push(error / area);
    }
    stats.areaCoarse.push(errors[0]);
    stats.areaFine.push(errors[errors.length - 1]);
  });
}

const flipsArb = fc.array(fc.boolean(), { minLength: 1, maxLength: 4 });

/**
 * 3. Reversing rings. Reversing an edge negates the exact value of (a - b) in the crossing test
 * and flips which endpoint's flag it is compared with, so a sample off the edge toggles the same
 * either way. A sample exactly on an edge does not: with a == b the test reads ">=" as true in
 * both orientations and so toggles for one direction only (matplotlib's rule is
 * direction-dependent on the boundary), and within rounding of an edge the two orientations
 * compute different products. So the property is: the masks agree at every sample that is not on
 * an edge (see onEdge); samples on an edge may differ. The GPU matches the CPU either way.
 */
function reverseProperty() {
  return fc.asyncProperty(fc.array(fc.record({ c: maskCaseArb, flips: flipsArb }), { minLength: 1, maxLength: 6 }), async (items) => {
    const jobs: Job[] = [];
    for (const { c, flips } of items) {
      const reversed = c.rings.map((ring, k) => (flips[k % flips.length] ? reverseRing(ring) : ring));
      const job = jobOf(c);
      const flipped = jobOf(c, reversed, c.lattice, ' (reversed)');
      jobs.push(job, flipped);
      const [a, b] = [cpuMask(job), cpuMask(flipped)];
      stats.reversedCases += 1;
      for (let v = 0; v < a.full.length; v += 1) {
        if (a.full[v] === b.full[v]) continue;
        const i = v % c.lattice.nx;
        const j = Math.floor(v / c.lattice.nx);
        stats.reversedDiffering += 1;
        if (!onEdge(job.lattice.xs[i], job.lattice.ys[j], c.rings)) throw new Error(`reversing rings changed ${sampleName(job, i, j)}, which is on no edge (${job.label})`);
      }
    }
    await expectGpuMatchesCpu(jobs, jobs.map(cpuMask));
  });
}

/**
 * 4. Translation by whole steps, exact: dyadic lattices and vertices (multiples of 2^-10 mm below
 * 2^18 mm, steps k/64 mm) make every shifted coordinate, and every difference the crossing test
 * takes, exact, so (a) moving rings and lattice together by (A, B) steps gives the identical mask,
 * and (b) moving the rings alone by (a, b) steps moves the mask by (a, b) samples: inside(i, j)
 * after = inside(i - a, j - b) before, wherever both samples are on the lattice.
 */
function translationProperty() {
  const shift = fc.integer({ min: -64, max: 64 });
  const far = fc.integer({ min: -4096, max: 4096 });
  return fc.asyncProperty(fc.array(fc.record({ c: dyadicMaskCaseArb, a: shift, b: shift, A: far, B: far }), { minLength: 1, maxLength: 5 }), async (items) => {
    const jobs: Job[] = [];
    for (const { c, a, b, A, B } of items) {
      const { sx, sy, nx, ny } = c.lattice;
      const exact = (ring: Float64Array, dx: number, dy: number) => {
        const moved = translateRing(ring, dx, dy);
        // The premise: the shift is exact (undone exactly), so the property is about the mask alone.
        if (moved.some((v, k) => v - (k % 2 === 0 ? dx : dy) !== ring[k])) throw new Error(`premise: shifting by (${dx}, ${dy}) mm is not exact`);
        return moved;
      };
      const job = jobOf(c);
      const together = jobOf(c, c.rings.map((r) => exact(r, A * sx, B * sy)), { ...c.lattice, x0: c.lattice.x0 + A * sx, y0: c.lattice.y0 + B * sy }, ` (with the lattice, moved ${A}, ${B} steps)`);
      const alone = jobOf(c, c.rings.map((r) => exact(r, a * sx, b * sy)), c.lattice, ` (moved ${a}, ${b} steps)`);
      jobs.push(job, together, alone);
      const before = cpuMask(job);
      expectSameMask(together, 'moved with the lattice', cpuMask(together), before);
      const after = cpuMask(alone);
      for (let j = 0; j < ny; j += 1) {
        for (let i = 0; i < nx; i += 1) {
          const i0 = i - a;
          const j0 = j - b;
          if (i0 < 0 || i0 >= nx || j0 < 0 || j0 >= ny) continue;
          if (after.full[j * nx + i] !== before.full[j0 * nx + i0]) throw new Error(`moved rings: ${sampleName(alone, i, j)} is ${after.full[j * nx + i]}, but ${sampleName(job, i0, j0)} was ${before.full[j0 * nx + i0]} (${alone.label})`);
        }
      }
    }
    await expectGpuMatchesCpu(jobs, jobs.map(cpuMask));
  });
}

/**
 * 5. Repeated consecutive vertices, an explicit closing vertex and a rotated starting vertex give
 * the identical mask: a zero-length edge has y0 == y1 and never toggles, and rotation keeps the
 * same directed edges, whose toggles are XOR-ed in any order.
 */
function duplicatesProperty() {
  const variant = fc.record({ c: maskCaseArb, start: fc.nat(), repeat: fc.array(fc.nat(), { maxLength: 6 }), close: fc.boolean() });
  return fc.asyncProperty(fc.array(variant, { minLength: 1, maxLength: 6 }), async (items) => {
    const jobs: Job[] = [];
    for (const { c, start, repeat, close } of items) {
      const changed = c.rings.map((ring) => rotateAndRepeat(ring, start % Math.max(1, ring.length >> 1), repeat, close));
      const job = jobOf(c);
      const other = jobOf(c, changed, c.lattice, ` (from vertex ${start}, repeating ${repeat.join(' ')}${close ? ', closed explicitly' : ''})`);
      jobs.push(other);
      expectSameMask(other, 'repeated / rotated vertices', cpuMask(other), cpuMask(job));
    }
    await expectGpuMatchesCpu(jobs, jobs.map(cpuMask));
  });
}

const manyCases = fc.array(maskCaseArb, { minLength: 1, maxLength: 8 });
const largeCases = fc.array(largeMaskCaseArb, { minLength: 1, maxLength: 2 });

/** Properties are run through one signature; each is asserted with its own arbitraries. */
type AnyProperty = fc.IAsyncProperty<[unknown]>;
const properties: Record<string, { make: () => AnyProperty; gpu: boolean }> = {
  'cpu-gpu-identical': { make: () => cpuGpuProperty(manyCases) as unknown as AnyProperty, gpu: true },
  'cpu-gpu-identical-large': { make: () => cpuGpuProperty(largeCases) as unknown as AnyProperty, gpu: true },
  'area-converges': { make: () => areaProperty() as unknown as AnyProperty, gpu: false },
  'reverse-order': { make: () => reverseProperty() as unknown as AnyProperty, gpu: false },
  'whole-step-translation': { make: () => translationProperty() as unknown as AnyProperty, gpu: false },
  'duplicates-and-rotation': { make: () => duplicatesProperty() as unknown as AnyProperty, gpu: false },
};

/**
 * Runs a property. A failure prints its seed and path (for the regression fixture); shrinking
 * stops after 60 s (the path printed then resumes it) so the seed is never lost to the test's timeout.
 */
async function check(name: string, parameters: { numRuns?: number; seed?: number; path?: string }): Promise<void> {
  await fc.assert(properties[name].make(), { ...parameters, plugins: [fc.interruptAfterTimeLimit(60_000)] });
}

describe('polygon mask: properties (fast-check)', () => {
  // Without a device (and REQUIRE_WEBGPU unset) the CPU half of property 1 still runs; the test
  // then reports itself skipped.
  it('1. CPU and GPU masks are identical (and equal the point-by-point crossing test)', async (ctx) => {
    await check('cpu-gpu-identical', { numRuns: runs(600) });
    if (!gpu) skipWithoutDevice(ctx);
  }, 120_000);

  it('1. the same for rings of 1 000 to 20 000 vertices', async (ctx) => {
    await check('cpu-gpu-identical-large', { numRuns: runs(12) });
    if (!gpu) skipWithoutDevice(ctx);
  }, 120_000);

  it('2. the masked area converges to the even-odd area as the lattice is refined (|error| <= sum over edges of 2(|dx| hy + |dy| hx) + 4 hx hy)', async () => {
    await check('area-converges', { numRuns: runs(200) });
    // The bound falls linearly with h by construction; the errors themselves fall faster
    // (about h^1.5 for the random boundary placement): on average at least 4x from h to h/8.
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    console.log(`area: worst error / bound ${stats.areaWorstRatio.toFixed(3)}; mean relative error ${mean(stats.areaCoarse).toExponential(2)} at the coarsest step, ${mean(stats.areaFine).toExponential(2)} at 1/8 of it`);
    expect(mean(stats.areaFine)).toBeLessThan(mean(stats.areaCoarse) / 4);
  }, 120_000);

  it('3. reversed vertex order gives the same mask, except at samples on an edge (CPU and GPU)', async () => {
    await check('reverse-order', { numRuns: runs(300) });
    console.log(`reverse: ${stats.reversedCases} cases, ${stats.reversedDiffering} samples changed, all of them on an edge`);
  }, 120_000);

  it('4. moving rings (and lattice) by whole steps moves the mask exactly (CPU and GPU)', async () => {
    await check('whole-step-translation', { numRuns: runs(250) });
  }, 120_000);

  it('5. repeated vertices, an explicit closing vertex and a rotated start do not change the mask (CPU and GPU)', async () => {
    await check('duplicates-and-rotation', { numRuns: runs(250) });
  }, 120_000);
});

/**
 * A regression case: a fast-check seed and path for a named property, or (durable, whatever the
 * arbitraries become) a concrete example for 'cpu-gpu-identical': lattices and rings as numbers.
 */
type Regression = { readonly property: string; readonly note: string } & (
  | { readonly seed: number; readonly path: string }
  | { readonly example: readonly { readonly lattice: LatticeSpec; readonly rings: readonly (readonly number[])[]; readonly transposed?: boolean }[] }
);

const regressions = (JSON.parse(readFileSync(new URL('./fixtures/geometry-regressions.json', import.meta.url), 'utf8')) as { cases: Regression[] }).cases;

describe('polygon mask: regression cases (fixtures/geometry-regressions.json)', () => {
  it('every case names a property and has a seed and path, or an example', () => {
    for (const r of regressions) {
      expect(Object.keys(properties)).toContain(r.property);
      if ('example' in r) expect(r.property).toBe('cpu-gpu-identical');
      else {
        expect(Number.isInteger(r.seed)).toBe(true);
        expect(r.path).toMatch(/^\d+(:\d+)*$/);
      }
    }
  });

  for (const r of regressions) {
    it(`${r.property}: ${r.note}`, async (ctx) => {
      if ('example' in r) {
        await checkCpuGpu(r.example.map((e) => ({ lattice: e.lattice, rings: e.rings.map((ring) => Float64Array.from(ring)), kinds: ['example'], transposed: e.transposed ?? false })));
      } else await check(r.property, { seed: r.seed, path: r.path });
      if (properties[r.property].gpu && !gpu) ctx.skip();
    }, 120_000);
  }
});
