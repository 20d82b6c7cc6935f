// SPDX-License-Identifier: BSD-3-Clause
/**
 * The five solids of the analytical DVH benchmark (Nelms et al., Med Phys 2015): a sphere, a
 * cylinder with its axis along patient z (superior-inferior), the same cylinder turned to lie
 * along patient y (anterior-posterior), a cone along z and a cone along y. All coordinates in mm,
 * patient coordinate system (x to the patient's left, y posterior, z superior).
 */

/** The benchmark's shapes. */
export type ShapeName = 'sphere' | 'cylinder' | 'cylinder-rotated' | 'cone' | 'cone-rotated';

/** Every shape, in the benchmark's order. */
export const SHAPE_NAMES: readonly ShapeName[] = Object.freeze(['sphere', 'cylinder', 'cylinder-rotated', 'cone', 'cone-rotated']);

/** Radius of every shape (sphere, cylinder, cone base), mm. */
export const SHAPE_RADIUS_MM = 12;
/** Length of the cylinders and cones along their axis, mm. */
export const SHAPE_LENGTH_MM = 24;
/** Vertices of each circular cross-section. */
export const CIRCLE_VERTEX_COUNT = 128;
/** Vertices of the curved boundary of a cross-section of the rotated cone (odd, so the tip is one). */
export const CONE_CURVE_VERTEX_COUNT = 201;

/** One solid: its kind, centre and size. */
export interface Shape {
  readonly name: ShapeName;
  /** Centre (x, y, z), mm: the centre of the sphere, the mid-point of the axis of cylinders and cones. */
  readonly centerMm: readonly [number, number, number];
  /** Radius (sphere, cylinder, cone base), mm. */
  readonly radiusMm: number;
  /** Length along the axis (cylinders, cones), mm; unused for the sphere. */
  readonly lengthMm: number;
}

/** A shape of the benchmark's size (radius 12 mm, length 24 mm) centred at `centerMm` (mm). */
export function makeShape(name: ShapeName, centerMm: readonly [number, number, number]): Shape {
  return Object.freeze({ name, centerMm: Object.freeze([centerMm[0], centerMm[1], centerMm[2]] as const), radiusMm: SHAPE_RADIUS_MM, lengthMm: SHAPE_LENGTH_MM });
}

/** Half-widths of the shape's bounding box along x, y and z, mm (the box is centred on `centerMm`). */
export function shapeHalfExtentMm(shape: Shape): [number, number, number] {
  const r = shape.radiusMm;
  const h = shape.lengthMm / 2;
  switch (shape.name) {
    case 'sphere':
      return [r, r, r];
    case 'cylinder':
    case 'cone':
      return [r, r, h];
    case 'cylinder-rotated':
    case 'cone-rotated':
      return [r, h, r];
  }
}

/** The extent of the shape along patient z (superior-inferior), mm: 24 mm for every benchmark shape. */
export function superiorInferiorExtentMm(shape: Shape): number {
  return 2 * shapeHalfExtentMm(shape)[2];
}

/** The exact volume of the solid, mm3 (4/3 pi r^3, pi r^2 L, pi r^2 L / 3). */
export function shapeVolumeMm3(shape: Shape): number {
  const r = shape.radiusMm;
  switch (shape.name) {
    case 'sphere':
      return (4 / 3) * Math.PI * r ** 3;
    case 'cylinder':
    case 'cylinder-rotated':
      return Math.PI * r * r * shape.lengthMm;
    case 'cone':
    case 'cone-rotated':
      return (Math.PI * r * r * shape.lengthMm) / 3;
  }
}

/** A regular polygon inscribed in the circle of `radiusMm` about (cx, cy), counter-clockwise, first vertex at +x. */
function circle(cx: number, cy: number, radiusMm: number): Float64Array {
  const out = new Float64Array(2 * CIRCLE_VERTEX_COUNT);
  for (let j = 0; j < CIRCLE_VERTEX_COUNT; j += 1) {
    const angle = (2 * Math.PI * j) / CIRCLE_VERTEX_COUNT;
    out[2 * j] = cx + radiusMm * Math.cos(angle);
    out[2 * j + 1] = cy + radiusMm * Math.sin(angle);
  }
  return out;
}

/**
 * The cross-section of a cone lying along +y (base of radius r at y = cy - L/2, apex at
 * y = cy + L/2) with the plane z = cz + dz: the base segment and the hyperbola
 * y = cy + L/2 - (L / r) sqrt(dx^2 + dz^2), sampled as dx = |dz| sinh(u) with u uniform so the
 * vertices crowd where the curve bends. Through the axis (dz = 0) it is the exact triangle.
 */
function rotatedConeSection(shape: Shape, dzMm: number): Float64Array {
  const [cx, cy] = shape.centerMm;
  const r = shape.radiusMm;
  const half = shape.lengthMm / 2;
  const w = Math.sqrt(r * r - dzMm * dzMm);
  const baseY = cy - half;
  if (dzMm === 0) return Float64Array.from([cx + w, baseY, cx, cy + half, cx - w, baseY]);
  const a = Math.abs(dzMm);
  const n = CONE_CURVE_VERTEX_COUNT;
  const uMax = Math.asinh(w / a);
  const out = new Float64Array(2 * n);
  // From the right end of the base over the curve to the left end: counter-clockwise, and the
  // closing edge is the base, left to right.
  for (let j = 0; j < n; j += 1) {
    const u = uMax * (1 - (2 * j) / (n - 1));
    const dx = j === 0 ? w : j === n - 1 ? -w : a * Math.sinh(u);
    const y = j === 0 || j === n - 1 ? baseY : cy + half - (shape.lengthMm / r) * Math.hypot(dx, a);
    out[2 * j] = cx + dx;
    out[2 * j + 1] = y;
  }
  return out;
}

/**
 * The axial cross-section of the (open) solid with the plane z = `zMm`: a closed polygon of
 * (x, y) pairs in mm, counter-clockwise (positive shoelace area in x-y), or null when the plane
 * misses the solid or only touches it (a pole, an apex, an end face).
 *
 * Circles are regular 128-gons inscribed in the true circle; the rotated cylinder gives a
 * rectangle; the rotated cone gives its base segment plus 201 vertices on its hyperbolic edge.
 */
export function crossSection(shape: Shape, zMm: number): Float64Array | null {
  const [cx, cy, cz] = shape.centerMm;
  const r = shape.radiusMm;
  const half = shape.lengthMm / 2;
  const dz = zMm - cz;
  switch (shape.name) {
    case 'sphere':
      return Math.abs(dz) < r ? circle(cx, cy, Math.sqrt(r * r - dz * dz)) : null;
    case 'cylinder':
      return Math.abs(dz) < half ? circle(cx, cy, r) : null;
    case 'cone':
      return Math.abs(dz) < half ? circle(cx, cy, (r * (half - dz)) / shape.lengthMm) : null;
    case 'cylinder-rotated': {
      if (!(Math.abs(dz) < r)) return null;
      const w = Math.sqrt(r * r - dz * dz);
      return Float64Array.from([cx - w, cy - half, cx + w, cy - half, cx + w, cy + half, cx - w, cy + half]);
    }
    case 'cone-rotated':
      return Math.abs(dz) < r ? rotatedConeSection(shape, dz) : null;
  }
}

/** `value` rounded to a multiple of 1e-6 (so that it is written to DICOM exactly). */
export function roundToMicrometre(value: number): number {
  const rounded = Math.round(value * 1e6) / 1e6;
  return rounded === 0 ? 0 : rounded;
}

/**
 * The z (mm) of the contour planes of `shape` at `spacingMm`: z_k = cz - L/2 + (k + 1/2) s for
 * the superior-inferior extent L (24 mm for every benchmark shape), so that the planes' slabs
 * [z_k - s/2, z_k + s/2] tile the extent when s divides L. With `shiftHalfSpacing` every plane
 * moves by half a spacing (z_k = cz - L/2 + k s). Planes whose cross-section is empty (the
 * poles, the apex, the end faces) are dropped. Values are rounded to 1e-6 mm, ascending.
 */
export function contourPlanesZMm(shape: Shape, spacingMm: number, shiftHalfSpacing = false): Float64Array {
  const extent = superiorInferiorExtentMm(shape);
  const start = shape.centerMm[2] - extent / 2;
  const offset = shiftHalfSpacing ? 0 : 0.5;
  const planes: number[] = [];
  const count = Math.ceil(extent / spacingMm) + 1;
  for (let k = 0; k <= count; k += 1) {
    const z = roundToMicrometre(start + (k + offset) * spacingMm);
    if (crossSection(shape, z) !== null) planes.push(z);
  }
  return Float64Array.from(planes);
}
