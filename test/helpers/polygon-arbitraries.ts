// SPDX-License-Identifier: BSD-3-Clause
// fast-check arbitraries for the polygon-mask property tests (test/analytical/geometry-properties.test.ts):
// sample lattices and the rings of one layer, in every shape the crossing rule must survive.
//
// Rings are generated in "unit" coordinates (u, v), where [0, 1] spans the lattice along each
// axis, and placed on a lattice by `placeRing`: the index coordinate k = u * n becomes
// x = x0 + k * sx, the very expression that gives the lattice's own samples, so a ring snapped
// to integer k has its vertices exactly on sample coordinates. Everything a case holds is plain
// data, so fast-check prints a failing case in full and shrinks it.
import fc from 'fast-check';
import type { SampleLattice } from '../../src/kernels/polygon-mask.js';
import { mulberry32 } from './point-in-path.js';

export type Point = readonly [number, number];

/** A rectilinear lattice: sample i at x0 + i * sx, sample j at y0 + j * sy (a negative step: a decreasing axis). */
export interface LatticeSpec {
  readonly x0: number;
  readonly sx: number;
  readonly nx: number;
  readonly y0: number;
  readonly sy: number;
  readonly ny: number;
}

export function buildLattice(spec: LatticeSpec): SampleLattice {
  return {
    xs: Float64Array.from({ length: spec.nx }, (_, i) => spec.x0 + i * spec.sx),
    ys: Float64Array.from({ length: spec.ny }, (_, j) => spec.y0 + j * spec.sy),
  };
}

// ---------------------------------------------------------------------------------------------
// Lattices

/**
 * A real number uniform in [min, max] (or [min, max) with `maxExcluded`) on a 2^31-step grid.
 * fast-check's fc.double is uniform over the float64 bit patterns, so most of its values in
 * [0, 1] are tiny (1e-200...), which collapses rings onto points; this one shrinks towards min.
 */
export function real(min: number, max: number, maxExcluded = false): fc.Arbitrary<number> {
  const steps = 2 ** 31;
  return fc.integer({ min: 0, max: maxExcluded ? steps - 1 : steps }).map((k) => min + ((max - min) * k) / steps);
}

/** Samples per axis: most small, some up to 128. */
export const latticeSizeArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 16 }), weight: 3 },
  { arbitrary: fc.integer({ min: 17, max: 64 }), weight: 3 },
  { arbitrary: fc.integer({ min: 65, max: 128 }), weight: 1 },
);

/**
 * Coordinates below 1e-100 mm become 0: the crossing test multiplies coordinate differences, and
 * products that underflow (below about 1e-300) lose the precision the mask's window relies on
 * (see fallback/polygon-mask.ts); no contour or lattice comes near that.
 */
export const tame = (v: number): number => (Math.abs(v) < 1e-100 ? 0 : v);

/** Lattice origins: mostly near the patient origin, a quarter up to 1e5 mm away. */
export const originArb = fc
  .oneof(
    { arbitrary: real(-100, 100), weight: 3 },
    { arbitrary: fc.tuple(real(1e3, 1e5), fc.boolean()).map(([v, negative]) => (negative ? -v : v)), weight: 1 },
    // fast-check's own doubles: mostly tiny magnitudes (1e-17, 1e-250...), odd offsets.
    { arbitrary: fc.double({ min: -1, max: 1, noNaN: true }), weight: 1 },
  )
  .map(tame);

/** `arb` with probability 1 / (1 + absentWeight), otherwise undefined. */
function sometimes<T>(arb: fc.Arbitrary<T>, absentWeight: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: absentWeight }, { arbitrary: arb, weight: 1 });
}

/** A step of 0.3 to 5 mm, either direction. */
const stepArb = fc.tuple(real(0.3, 5), fc.boolean()).map(([s, decreasing]) => (decreasing ? -s : s));

export const latticeArb: fc.Arbitrary<LatticeSpec> = fc.record({ x0: originArb, sx: stepArb, nx: latticeSizeArb, y0: originArb, sy: stepArb, ny: latticeSizeArb });

/** Coordinates of dyadic cases are multiples of 2^-10 mm, below 2^18 mm: sums and differences of them are exact in float64. */
export const DYADIC = 1024;
export const toDyadic = (v: number): number => Math.round(v * DYADIC) / DYADIC;

/**
 * Lattices whose every sample is exact: steps k/64 mm (0.3125 to 5 mm), origins multiples of
 * 2^-10 mm within 1e5 mm, so x0 + i * sx and any shift by whole steps are computed exactly.
 */
export const dyadicLatticeArb: fc.Arbitrary<LatticeSpec> = (() => {
  const origin = fc.oneof(
    { arbitrary: fc.integer({ min: -100 * DYADIC, max: 100 * DYADIC }), weight: 3 },
    { arbitrary: fc.tuple(fc.integer({ min: 1e3 * DYADIC, max: 1e5 * DYADIC }), fc.boolean()).map(([m, negative]) => (negative ? -m : m)), weight: 1 },
  ).map((m) => m / DYADIC);
  const step = fc.tuple(fc.integer({ min: 20, max: 320 }), fc.boolean()).map(([k, decreasing]) => (decreasing ? -k : k) / 64);
  return fc.record({ x0: origin, sx: step, nx: latticeSizeArb, y0: origin, sy: step, ny: latticeSizeArb });
})();

// ---------------------------------------------------------------------------------------------
// Rings (unit coordinates)

/**
 * How a ring's vertices are placed on the lattice: anywhere, on sample points, on sample and
 * mid-sample points, or a few ulps off sample points (0.1 + 0.2 against a sample at 0.3);
 * 'first-ulp': only the first vertex, a few ulps (nudges[0]) off a sample in x and on its row,
 * the others anywhere.
 */
export type Snap = 'none' | 'sample' | 'half' | 'ulp' | 'first-ulp';

/** A ring in unit coordinates, before it is placed on a lattice. */
export interface UnitRing {
  readonly kind: string;
  readonly points: readonly Point[];
  readonly snap: Snap;
  /** With snap 'ulp': the ulps each coordinate moves, cycled (x, y, x, y...); with 'first-ulp', nudges[0] moves the first x. */
  readonly nudges?: readonly number[];
  /** A zero-area spike placed after vertex `at`: out to `tip`, back to the vertex moved `widthMm` sideways (mm, after placement). */
  readonly spike?: { readonly at: number; readonly tip: Point; readonly widthMm: number };
}

/** Unit coordinates: uniform, with a tenth from fc.double (mostly within 1e-20 of 0: vertices a few ulps from the lattice origin's sample). */
const unit = (min = -0.2, max = 1.2) => fc.oneof({ arbitrary: real(min, max), weight: 9 }, { arbitrary: fc.double({ min, max, noNaN: true }), weight: 1 });
const pointArb = (min = -0.2, max = 1.2): fc.Arbitrary<Point> => fc.tuple(unit(min, max), unit(min, max));

/** Per-vertex parameters, in arrays that are mostly short (3-8), sometimes 9-40 and rarely up to 300 long. */
function vertexArray<T>(item: fc.Arbitrary<T>, min = 3): fc.Arbitrary<T[]> {
  return fc.oneof(
    { arbitrary: fc.array(item, { minLength: min, maxLength: Math.max(min, 8) }), weight: 6 },
    { arbitrary: fc.array(item, { minLength: 9, maxLength: 40, size: 'max' }), weight: 3 },
    { arbitrary: fc.array(item, { minLength: 41, maxLength: 300, size: 'max' }), weight: 1 },
  );
}

/** Convex: points on an ellipse at sorted random angles (repeated angles give repeated points). */
export const convexArb: fc.Arbitrary<Point[]> = fc
  .record({ c: pointArb(0.1, 0.9), rx: real(0.02, 0.7), ry: real(0.02, 0.7), rot: real(0, Math.PI), t: vertexArray(real(0, 1, true)) })
  .map(({ c, rx, ry, rot, t }) => {
    const cos = Math.cos(rot);
    const sin = Math.sin(rot);
    return [...t].sort((a, b) => a - b).map((f): Point => {
      const a = 2 * Math.PI * f;
      const ex = rx * Math.cos(a);
      const ey = ry * Math.sin(a);
      return [c[0] + cos * ex - sin * ey, c[1] + sin * ex + cos * ey];
    });
  });

/** Concave: star-shaped about a centre, vertex k at angle 2 pi (k + jitter) / n with a random radius (simple, usually concave). */
export const starArb: fc.Arbitrary<Point[]> = fc
  .record({
    c: pointArb(0.1, 0.9),
    r: real(0.05, 0.7),
    phase: real(0, 2 * Math.PI),
    verts: vertexArray(fc.tuple(real(0, 0.45), real(0.05, 1))),
  })
  .map(({ c, r, phase, verts }) =>
    verts.map(([jitter, radius], k): Point => {
      const a = phase + (2 * Math.PI * (k + jitter)) / verts.length;
      return [c[0] + r * radius * Math.cos(a), c[1] + r * radius * Math.sin(a)];
    }),
  );

/** Self-intersecting: random points. */
export const randomPointsArb: fc.Arbitrary<Point[]> = vertexArray(pointArb());

/** Self-intersecting: a bow-tie (two diagonals joined by two sides), corners jittered. */
export const bowTieArb: fc.Arbitrary<Point[]> = fc
  .record({ a: pointArb(), b: pointArb(), jitter: fc.array(real(-0.05, 0.05), { minLength: 8, maxLength: 8 }) })
  .map(({ a, b, jitter: j }) => [
    [a[0] + j[0], a[1] + j[1]],
    [b[0] + j[2], b[1] + j[3]],
    [b[0] + j[4], a[1] + j[5]],
    [a[0] + j[6], b[1] + j[7]],
  ]);

/** Self-touching: two fans around one vertex p, the ring p, fan A, p, fan B (p is visited twice). */
export const selfTouchingArb: fc.Arbitrary<Point[]> = (() => {
  const fan = fc.record({
    start: real(0, 2 * Math.PI),
    span: real(0.3, 3),
    verts: fc.array(fc.tuple(real(0, 1), real(0.05, 0.5)), { minLength: 2, maxLength: 12 }),
  });
  return fc.record({ p: pointArb(0, 1), a: fan, b: fan }).map(({ p, a, b }) => {
    const points = (f: { start: number; span: number; verts: [number, number][] }) =>
      [...f.verts].sort((u, v) => u[0] - v[0]).map(([t, r]): Point => [p[0] + r * Math.cos(f.start + t * f.span), p[1] + r * Math.sin(f.start + t * f.span)]);
    return [p, ...points(a), p, ...points(b)];
  });
})();

/** Zero area: every vertex on one line (horizontal, vertical, or at any angle), in random order. */
export const collinearSliverArb: fc.Arbitrary<Point[]> = fc
  .record({
    p: pointArb(0, 1),
    direction: fc.oneof(fc.constant(0), fc.constant(Math.PI / 2), fc.constant(Math.PI / 4), real(0, Math.PI)),
    length: real(0, 1.2),
    t: vertexArray(real(-0.5, 0.5)),
  })
  .map(({ p, direction, length, t }) => t.map((s): Point => [p[0] + s * length * Math.cos(direction), p[1] + s * length * Math.sin(direction)]));

/**
 * A convex or star ring with repeated vertices and extra vertices on its edges (at the midpoint
 * or anywhere along the edge: collinear up to rounding).
 */
export const duplicateCollinearArb: fc.Arbitrary<Point[]> = fc
  .record({
    base: fc.oneof(convexArb, starArb),
    inserts: fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constant(0), fc.constant(0.5), real(0, 1)), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 6 }),
  })
  .map(({ base, inserts }) => {
    const out = [...base];
    for (const [at, t, copies] of inserts) {
      const k = at % out.length;
      const a = out[k];
      const b = out[(k + 1) % out.length];
      const p: Point = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
      out.splice(k + 1, 0, ...Array.from({ length: copies }, () => p));
    }
    return out;
  });

/**
 * fast-check biases small runs towards extreme values (0, the bounds, tiny magnitudes), which
 * collapses most rings onto a point or a line; a quarter of the rings keep that bias (degenerate
 * cases), the rest are drawn uniformly.
 */
function mostlyUnbiased<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: fc.noBias(arb), weight: 3 }, { arbitrary: arb, weight: 1 });
}

/**
 * The leftmost (or rightmost) vertex of a ring, followed by two to six vertices anywhere to its
 * right (left), up to 1, 10 or 1000 lattice widths away. Placed with snap 'first-ulp', that vertex
 * sits a few ulps off a sample, so the samples just outside the ring's x-range are within rounding
 * of it (the edge of the mask's column window), and long edges make x1 - x0 and x1 - tx round alike.
 */
export const extremeVertexArb: fc.Arbitrary<Point[]> = fc
  .record({ v: pointArb(0, 1), right: fc.boolean(), reach: fc.constantFrom(1, 10, 1000), others: fc.array(pointArb(0, 1), { minLength: 2, maxLength: 6 }) })
  .map(({ v, right, reach, others }) => [v, ...others.map(([u, w]): Point => [right ? v[0] - u * reach : v[0] + u * reach, w * 1.4 - 0.2])]);

/** Every ring kind, weighted. */
export const ringShapeArb: fc.Arbitrary<{ kind: string; points: Point[] }> = fc.oneof(
  { arbitrary: convexArb.map((points) => ({ kind: 'convex', points })), weight: 3 },
  { arbitrary: starArb.map((points) => ({ kind: 'star', points })), weight: 3 },
  { arbitrary: randomPointsArb.map((points) => ({ kind: 'random', points })), weight: 3 },
  { arbitrary: bowTieArb.map((points) => ({ kind: 'bow-tie', points })), weight: 1 },
  { arbitrary: selfTouchingArb.map((points) => ({ kind: 'self-touching', points })), weight: 2 },
  { arbitrary: collinearSliverArb.map((points) => ({ kind: 'collinear', points })), weight: 1 },
  { arbitrary: duplicateCollinearArb.map((points) => ({ kind: 'duplicates', points })), weight: 2 },
  { arbitrary: extremeVertexArb.map((points) => ({ kind: 'extreme-vertex', points })), weight: 1 },
);

const snapArb: fc.Arbitrary<Snap> = fc.oneof(
  { arbitrary: fc.constant<Snap>('none'), weight: 4 },
  { arbitrary: fc.constant<Snap>('sample'), weight: 1 },
  { arbitrary: fc.constant<Snap>('half'), weight: 1 },
  { arbitrary: fc.constant<Snap>('ulp'), weight: 1 },
);
const nudgesArb = fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 8 });

const bits = new Float64Array(1);
const bitsAsInt = new BigInt64Array(bits.buffer);
/** v moved by `steps` units in the last place (0 stays 0). */
export function ulpStep(v: number, steps: number): number {
  if (v === 0 || steps === 0 || !Number.isFinite(v)) return v;
  bits[0] = v;
  // Positive doubles order like their bit patterns, negative ones the other way.
  bitsAsInt[0] += BigInt(v > 0 ? steps : -steps);
  return bits[0];
}

const spikeArb = fc.record({ at: fc.nat(), tip: pointArb(), widthMm: fc.constantFrom(1e-9, 0, 1e-6) });

/** A ring of any kind, maybe snapped to the lattice, maybe with a zero-area (or 1e-9 mm wide) spike. */
export const unitRingArb: fc.Arbitrary<UnitRing> = fc
  .record({ shape: mostlyUnbiased(ringShapeArb), snap: snapArb, nudges: nudgesArb, spike: sometimes(spikeArb, 5) })
  .map(({ shape, snap: drawn, nudges, spike }) => {
    const snap: Snap = shape.kind === 'extreme-vertex' ? 'first-ulp' : drawn;
    return { kind: spike ? `${shape.kind}+spike` : shape.kind, points: shape.points, snap, ...(snap === 'ulp' || snap === 'first-ulp' ? { nudges } : {}), ...(spike ? { spike } : {}) };
  });

// ---------------------------------------------------------------------------------------------
// Holes and islands: star-shaped rings nested strictly inside one another

/** One ring of a nest: vertex k at angle phase + 2 pi (k + jitter) / n, radius a fraction of what the enclosing ring leaves. */
export interface NestRing {
  readonly convex: boolean;
  readonly phase: number;
  readonly verts: readonly (readonly [number, number])[];
}

/** Groups (islands side by side) of rings nested outer to inner (holes, islands in holes...). */
export type NestSpec = readonly (readonly NestRing[])[];

export const nestArb: fc.Arbitrary<NestSpec> = fc.array(
  fc.array(
    fc.record({
      convex: fc.boolean(),
      phase: real(0, 2 * Math.PI),
      verts: fc.array(fc.tuple(real(0, 0.45), real(0.5, 1)), { minLength: 3, maxLength: 40 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  { minLength: 1, maxLength: 3 },
);

function segmentDistance(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

/**
 * A nest's rings in local coordinates (within [-1, 1] x [-1, 1] overall) and each ring's depth.
 * Group g is centred at (2.2 g, 0) with radius <= 1; each ring is star-shaped about its group's
 * centre with angular gaps below pi, so it is simple and contains the disc of radius d (its edges'
 * distance from the centre); the next ring stays within 0.9 d, strictly inside. The even-odd
 * region is therefore the alternating sum of the rings' areas.
 */
export function buildNest(spec: NestSpec): { rings: Point[][]; depth: number[] } {
  const rings: Point[][] = [];
  const depth: number[] = [];
  const shift = 1.1 * (spec.length - 1);
  const scale = 1 / (1.1 * spec.length);
  spec.forEach((group, g) => {
    const centre: Point = [2.2 * g, 0];
    let limit = 1;
    group.forEach((ring, d) => {
      const n = ring.verts.length;
      const points = ring.verts.map(([jitter, radius], k): Point => {
        const a = ring.phase + (2 * Math.PI * (k + jitter)) / n;
        const r = limit * (ring.convex ? 1 : radius);
        return [centre[0] + r * Math.cos(a), centre[1] + r * Math.sin(a)];
      });
      let inner = Infinity;
      for (let k = 0; k < n; k += 1) inner = Math.min(inner, segmentDistance(centre, points[k], points[(k + 1) % n]));
      limit = 0.9 * inner;
      rings.push(points.map(([x, y]): Point => [(x - shift) * scale, y * scale]));
      depth.push(d);
    });
  });
  return { rings, depth };
}

/** Shoelace area of a ring (positive when counter-clockwise). */
export function shoelace(points: readonly Point[]): number {
  let twice = 0;
  for (let k = 0; k < points.length; k += 1) {
    const [x0, y0] = points[k];
    const [x1, y1] = points[(k + 1) % points.length];
    twice += x0 * y1 - x1 * y0;
  }
  return twice / 2;
}

/** A nest placed in unit coordinates, for layers that mix it with other rings. */
export const unitNestArb: fc.Arbitrary<UnitRing[]> = fc
  .record({ nest: mostlyUnbiased(nestArb), c: pointArb(0.2, 0.8), size: real(0.1, 0.6), snap: snapArb, nudges: nudgesArb })
  .map(({ nest, c, size, snap, nudges }) =>
    buildNest(nest).rings.map((ring) => ({ kind: 'nested', snap, ...(snap === 'ulp' ? { nudges } : {}), points: ring.map(([x, y]): Point => [c[0] + size * x, c[1] + size * y]) })),
  );

// ---------------------------------------------------------------------------------------------
// Placing rings on a lattice

/** A ring's vertices in mm on the given lattice (see the module comment). `dyadic`: rounded to multiples of 2^-10 mm. */
export function placeRing(ring: UnitRing, lattice: LatticeSpec, dyadic = false): Float64Array {
  const snap = (k: number) => (ring.snap === 'sample' || ring.snap === 'ulp' ? Math.round(k) : ring.snap === 'half' ? Math.round(k * 2) / 2 : k);
  const nudges = ring.nudges ?? [0];
  let nudge = 0;
  const place = ([u, v]: Point): [number, number] => {
    const x = tame(ulpStep(lattice.x0 + snap(u * lattice.nx) * lattice.sx, nudges[nudge++ % nudges.length]));
    const y = tame(ulpStep(lattice.y0 + snap(v * lattice.ny) * lattice.sy, nudges[nudge++ % nudges.length]));
    return dyadic ? [toDyadic(x), toDyadic(y)] : [x, y];
  };
  const points =
    ring.snap === 'first-ulp'
      ? ring.points.map(([u, v], k): [number, number] => {
          const x = k > 0 ? lattice.x0 + u * lattice.nx * lattice.sx : ulpStep(lattice.x0 + Math.round(u * lattice.nx) * lattice.sx, nudges[0]);
          const y = lattice.y0 + (k > 0 ? v * lattice.ny : Math.round(v * lattice.ny)) * lattice.sy;
          return dyadic ? [toDyadic(x), toDyadic(y)] : [tame(x), tame(y)];
        })
      : ring.points.map(place);
  if (ring.spike && points.length > 0) {
    const at = ring.spike.at % points.length;
    const [vx, vy] = points[at];
    const [tx, ty] = place(ring.spike.tip);
    const len = Math.hypot(tx - vx, ty - vy) || 1;
    const back: [number, number] = [tame(vx - (ring.spike.widthMm * (ty - vy)) / len), tame(vy + (ring.spike.widthMm * (tx - vx)) / len)];
    points.splice(at + 1, 0, [tx, ty], dyadic ? [toDyadic(back[0]), toDyadic(back[1])] : back);
  }
  return Float64Array.from(points.flat());
}

/** One layer on one lattice, concrete. */
export interface MaskCase {
  readonly lattice: LatticeSpec;
  readonly rings: readonly Float64Array[];
  /** The ring kinds, for messages. */
  readonly kinds: readonly string[];
  /** Whether the GPU job's dose plane is stored transposed (lattice x along the plane's rows). */
  readonly transposed: boolean;
}

/**
 * The rings of one layer: one to three rings of any kind, XOR-combined, sometimes with a nest of
 * holes and islands; or (a fifth of layers) one extreme-vertex ring alone, whose vertex a few
 * ulps off a sample then bounds the whole layer's x-range.
 */
export const unitLayerArb: fc.Arbitrary<UnitRing[]> = fc.oneof(
  { arbitrary: fc.tuple(fc.array(unitRingArb, { minLength: 1, maxLength: 3 }), sometimes(unitNestArb, 3)).map(([rings, nest]) => [...rings, ...(nest ?? [])]), weight: 4 },
  { arbitrary: fc.record({ points: extremeVertexArb, nudges: nudgesArb }).map(({ points, nudges }): UnitRing[] => [{ kind: 'extreme-vertex', points, snap: 'first-ulp', nudges }]), weight: 1 },
);

function caseArbOn(lattice: fc.Arbitrary<LatticeSpec>, dyadic: boolean): fc.Arbitrary<MaskCase> {
  return fc.record({ lattice, layer: unitLayerArb, transposed: fc.boolean() }).map(({ lattice: spec, layer, transposed }) => ({
    lattice: spec,
    rings: layer.map((ring) => placeRing(ring, spec, dyadic)),
    kinds: layer.map((ring) => `${ring.kind}${ring.snap === 'none' ? '' : `@${ring.snap}`}`),
    transposed,
  }));
}

/** A layer on a random lattice (steps 0.3-5 mm, either direction, origins up to 1e5 mm away). */
export const maskCaseArb: fc.Arbitrary<MaskCase> = caseArbOn(latticeArb, false);

/** A layer on a dyadic lattice with every vertex a multiple of 2^-10 mm: whole-step shifts are exact. */
export const dyadicMaskCaseArb: fc.Arbitrary<MaskCase> = caseArbOn(dyadicLatticeArb, true);

/**
 * Large rings (1 000 to 20 000 vertices) from a seed: a star with random radii, a smooth wobbly
 * outline, or random points (a dense web of self-intersections), on lattices of 48-128 samples.
 */
export const largeMaskCaseArb: fc.Arbitrary<MaskCase> = fc
  .record({
    lattice: fc.record({ x0: originArb, sx: stepArb, nx: fc.integer({ min: 48, max: 128 }), y0: originArb, sy: stepArb, ny: fc.integer({ min: 48, max: 128 }) }),
    n: fc.integer({ min: 1000, max: 20_000 }),
    kind: fc.constantFrom('star', 'wobble', 'random'),
    seed: fc.integer(),
    transposed: fc.boolean(),
  })
  .map(({ lattice, n, kind, seed, transposed }) => {
    const random = mulberry32(seed);
    const points: Point[] = [];
    for (let k = 0; k < n; k += 1) {
      const a = (2 * Math.PI * k) / n;
      if (kind === 'random') points.push([random() * 1.2 - 0.1, random() * 1.2 - 0.1]);
      else {
        const r = kind === 'star' ? 0.1 + 0.35 * random() : 0.35 * (1 + 0.2 * Math.sin(37 * a));
        points.push([0.5 + r * Math.cos(a), 0.5 + r * Math.sin(a)]);
      }
    }
    return { lattice, rings: [placeRing({ kind, points, snap: 'none' }, lattice)], kinds: [`${kind} x${n}`], transposed };
  });

// ---------------------------------------------------------------------------------------------
// Ring transformations

/** The ring with its vertices in reverse order. */
export function reverseRing(ring: Float64Array): Float64Array {
  const n = ring.length >> 1;
  const out = new Float64Array(n * 2);
  for (let k = 0; k < n; k += 1) {
    out[k * 2] = ring[(n - 1 - k) * 2];
    out[k * 2 + 1] = ring[(n - 1 - k) * 2 + 1];
  }
  return out;
}

/** The ring starting at vertex `start`, with the vertices at `repeat` (indices into the original) repeated once each. */
export function rotateAndRepeat(ring: Float64Array, start: number, repeat: readonly number[], closeExplicitly: boolean): Float64Array {
  const n = ring.length >> 1;
  if (n === 0) return ring;
  const again = new Set(repeat.map((r) => r % n));
  const out: number[] = [];
  for (let k = 0; k < n; k += 1) {
    const v = (start + k) % n;
    out.push(ring[v * 2], ring[v * 2 + 1]);
    if (again.has(v)) out.push(ring[v * 2], ring[v * 2 + 1]);
  }
  if (closeExplicitly) out.push(out[0], out[1]);
  return Float64Array.from(out);
}

/** The ring moved by (dx, dy) mm. */
export function translateRing(ring: Float64Array, dx: number, dy: number): Float64Array {
  return ring.map((v, k) => (k % 2 === 0 ? v + dx : v + dy));
}

// ---------------------------------------------------------------------------------------------
// Area convergence: simple rings with holes and islands, and a sequence of refined lattices

/** Simple nested rings in mm, their even-odd area, and lattices refined by halving the step. */
export interface AreaCase {
  readonly rings: readonly Float64Array[];
  /** The even-odd area from the shoelace formula (mm^2), independent of the rasteriser. */
  readonly area: number;
  /** Coarsest first; each level halves both steps. Every level's cells cover the rings. */
  readonly levels: readonly LatticeSpec[];
}

/** The lattice of one level: step h along an axis covering [min, max] (cells of width h about each sample cover it). */
function coveringAxis(min: number, max: number, h: number, offset: number, decreasing: boolean): { origin: number; step: number; n: number } {
  const first = min - offset * h;
  const n = Math.floor((max - first) / h) + 2;
  return decreasing ? { origin: first + (n - 1) * h, step: -h, n } : { origin: first, step: h, n };
}

/**
 * Nests (see buildNest) scaled to 12-38 mm, squashed (aspect 0.35-1), rotated and placed up to
 * 1e5 mm from the origin, on four lattices with steps h, h/2, h/4, h/8 per axis, the finest
 * 0.3-0.625 mm (so every level is within 0.3-5 mm and the finest has up to ~128 samples a side),
 * with random sub-step offsets and either axis decreasing.
 */
export const areaCaseArb: fc.Arbitrary<AreaCase> = fc
  .record({
    nest: nestArb,
    hx: real(0.3, 0.625),
    hy: real(0.3, 0.625),
    half: real(6, 19),
    aspect: real(0.35, 1),
    rot: real(0, Math.PI),
    cx: originArb,
    cy: originArb,
    decreasingX: fc.boolean(),
    decreasingY: fc.boolean(),
    fx: real(0, 1, true),
    fy: real(0, 1, true),
  })
  .map(({ nest, hx, hy, half, aspect, rot, cx, cy, decreasingX, decreasingY, fx, fy }) => {
    const { rings, depth } = buildNest(nest);
    const cos = Math.cos(rot);
    const sin = Math.sin(rot);
    const local = rings.map((ring) => ring.map(([x, y]): Point => [half * (cos * x - sin * aspect * y), half * (sin * x + cos * aspect * y)]));
    // An affine map keeps the rings simple and nested; the area of each comes from its shoelace.
    const area = local.reduce((sum, ring, k) => sum + (depth[k] % 2 === 0 ? 1 : -1) * Math.abs(shoelace(ring)), 0);
    const placed = local.map((ring) => Float64Array.from(ring.flatMap(([x, y]) => [cx + x, cy + y])));
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (const ring of placed) {
      for (let k = 0; k < ring.length; k += 2) {
        minX = Math.min(minX, ring[k]);
        maxX = Math.max(maxX, ring[k]);
        minY = Math.min(minY, ring[k + 1]);
        maxY = Math.max(maxY, ring[k + 1]);
      }
    }
    const levels = [8, 4, 2, 1].map((factor): LatticeSpec => {
      const x = coveringAxis(minX, maxX, hx * factor, fx, decreasingX);
      const y = coveringAxis(minY, maxY, hy * factor, fy, decreasingY);
      return { x0: x.origin, sx: x.step, nx: x.n, y0: y.origin, sy: y.step, ny: y.n };
    });
    return { rings: placed, area, levels };
  });
