// SPDX-License-Identifier: BSD-3-Clause
// Margins: expand(A, m) and shrink(A, m) of a derived shape, isotropic or [x, y, z] mm, as an
// ordinary contour ROI (so that both DVH algorithms, and anything else, use it like any other).
//
// Model. A's planes are cross-sections of a solid. Between two neighbouring planes of a run
// (gaps of at most 1.5 plane spacings s) the solid is their shape-based interpolation: the
// region where the linear blend of the two planes' signed distance maps is negative. At each end
// of a run the end plane's region extends s/2 outwards (the end cap of the DVH algorithms).
// expand(A, m) is every point within scaled distance 1 of that solid, the distance being
// sqrt((dx/mx)^2 + (dy/my)^2 + (dz/mz)^2) (an ellipsoid; a sphere of radius m when isotropic).
// shrink(A, m) is the complement of expand(complement(A), m), A's complement taken within its
// bounding box padded by the margin (beyond A's end caps is outside A).
// Why not each plane as a slab +- s/2 (a staircase): the slabs' corners protrude beyond the
// surface the contours sample, and expanding them inflates a 25 mm sphere's 6 mm expansion by
// 2, 4 and 6 % on 1, 2 and 3 mm planes (shrinking deflates it by 4, 7 and 10 %); this model is
// within 0.3 % (expand) and 0.8 % (shrink) of 4/3 pi (R +- m)^3 there.
//
// Method. Each plane's region is rasterised on a fine in-plane grid (cell centres tested with
// the exact crossing rule) whose cell is margin / N along each axis with a margin (N >= 3, cell
// at most MARGIN_MAX_CELL_MM), so that distances counted in cells are isotropic in the scaled
// metric. Its boundary is taken where it exactly crosses the grid's row and column lines
// (sub-cell positions, from the contours), and the distance from every cell centre to the
// nearest such boundary point comes from the exact separable squared-distance transform
// (Felzenszwalb & Huttenlocher 2012): rows' points by a nearest-point pass along the row and the
// lower envelope of parabolas down the columns, columns' points the other way round. Boundary
// points lie about a cell apart, so the distance overestimates the true one by at most
// cell^2 / (8 m), micrometres. Interpolated cross-sections are made at most 1 mm (and mz / 3)
// apart; z distances to the cross-sections are exact: on an output plane z_o,
// D = min_k (d_k^2 + (dz_k / mz)^2) over the cross-sections k (d_k = 0 inside, dz_k less the
// end cap where there is one). The new contours are the level set D = 1, by marching squares
// with linear interpolation between cell centres, on A's planes plus, for expand, new planes at
// spacing s beyond the end planes (and in gaps) as far as the margin reaches. A margin of 0
// along x or y measures no distance along that axis (the region's extent along it is then
// resolved to a cell, <= MARGIN_MAX_CELL_MM) and interpolates no cross-sections; with no
// in-plane margin at all the new region is the union (expand) or intersection (shrink) of the
// planes within reach, contoured on their signed distances.
import { createCheckpoint } from '../backend/abort.js';
import { DosekitError } from '../errors.js';
import { checkMemory } from '../limits.js';
import { dicompylerPlaneKey, roundHalfEven2 } from '../model/plane-key.js';
import { type Contour, type ContourPlane, type Roi, paletteColor } from '../model/structure-set.js';
import { type BooleanShape, type ShapePlane, shapePlanes, shapeSpacingMm } from './derived-shape.js';
import { combineMasks } from './lattice-algebra.js';
import { type PlaneField, fineGrid, interpolatedField, planeField } from './margin-field.js';
import { marchingSquares } from './marching-squares.js';

/** A margin's result: a contour ROI and its plane spacing. */
export interface MarginResult {
  readonly roi: Roi;
  readonly spacingMm: number;
}

/** What names the new ROI, and the options that matter to it. */
export interface MarginRequest {
  readonly kind: 'expand' | 'shrink';
  readonly marginMm: readonly [number, number, number];
  readonly number: number;
  readonly name: string;
  readonly thicknessMm?: number;
  readonly signal?: AbortSignal;
  /** The memory ceiling for the fields (limits.ts; default DOSEKIT_MAX_MEMORY, else 4 GiB). */
  readonly memoryLimitBytes?: number;
}

/** Bytes per fine cell of one plane's field (inside flag and squared distance). */
const FIELD_BYTES_PER_CELL = 9;

/**
 * The most fields alive at once: those of the sections within `widthMm` of one another in z
 * (a field is made when an output plane comes within reach and dropped once it has passed, and
 * an interpolated section needs its two planes' fields too). `sections` ascend in z.
 */
function mostFieldsAlive(sections: readonly Section[], widthMm: number): number {
  let most = 0;
  for (let lo = 0, hi = 0; hi < sections.length; hi += 1) {
    while (sections[hi].z - sections[lo].z > widthMm) lo += 1;
    most = Math.max(most, hi - lo + 1);
  }
  return most;
}

/** Output plane positions: A's planes, plus for expand the planes at spacing s the margin reaches. */
function outputPlanes(planeZ: readonly number[], occupiedZ: readonly number[], spacing: number, request: MarginRequest): number[] {
  if (request.kind === 'shrink' || occupiedZ.length === 0) return [...occupiedZ];
  const mz = request.marginMm[2];
  const reach = mz > 0 ? Math.floor(mz / spacing + 0.5 + 1e-9) : 0;
  const first = occupiedZ[0];
  const last = occupiedZ[occupiedZ.length - 1];
  const out = new Set<number>(planeZ.filter((z) => z >= first - reach * spacing - 1e-6 && z <= last + reach * spacing + 1e-6));
  const steps = Math.round((last - first) / spacing);
  for (let j = -reach; j <= steps + reach; j += 1) {
    const z = first + j * spacing;
    if (planeZ.every((p) => Math.abs(p - z) >= spacing * (1 - 1e-3))) out.add(z);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The z distance (mm) from z to the nearest point outside the operand in z: beyond the end cap
 * (half a spacing) of the run of planes (gaps of at most 1.5 spacings) that holds z.
 */
function distanceOutOfSlabs(z: number, occupiedZ: readonly number[], spacing: number): number {
  const half = spacing / 2;
  const covering = occupiedZ.findIndex((p) => Math.abs(p - z) <= half + 1e-9);
  if (covering < 0) return 0;
  let k = covering;
  while (k > 0 && occupiedZ[k] - occupiedZ[k - 1] <= 1.5 * spacing) k -= 1;
  const lo = occupiedZ[k] - half;
  k = covering;
  while (k < occupiedZ.length - 1 && occupiedZ[k + 1] - occupiedZ[k] <= 1.5 * spacing) k += 1;
  const hi = occupiedZ[k] + half;
  return Math.max(0, Math.min(z - lo, hi - z));
}

/** The largest z step between interpolated sections, mm. */
const MAX_SECTION_GAP_MM = 1;

/** A cross-section of the operand: one of its planes, or one interpolated between two of them. */
interface Section {
  readonly z: number;
  readonly plane?: number;
  readonly between?: { readonly a: number; readonly b: number; readonly t: number };
  /** An end plane of a run of planes: its region extends half a spacing outwards (the end cap). */
  readonly capBelow: boolean;
  readonly capAbove: boolean;
}

/**
 * The operand's cross-sections: its occupied planes, with end caps where a run of planes (gaps
 * of at most 1.5 spacings) ends, and between neighbours of a run interpolated sections at most
 * `stepMm` apart (none when stepMm is Infinity).
 */
function sectionsOf(occupied: readonly number[], planes: readonly ShapePlane[], spacing: number, stepMm: number): Section[] {
  const out: Section[] = [];
  occupied.forEach((k, i) => {
    const z = planes[k].zMm;
    const previous = i > 0 ? planes[occupied[i - 1]].zMm : -Infinity;
    const next = i + 1 < occupied.length ? planes[occupied[i + 1]].zMm : Infinity;
    out.push({ z, plane: k, capBelow: z - previous > 1.5 * spacing, capAbove: next - z > 1.5 * spacing });
    if (next - z <= 1.5 * spacing && Number.isFinite(stepMm)) {
      const parts = Math.ceil((next - z) / stepMm - 1e-9);
      for (let j = 1; j < parts; j += 1) out.push({ z: z + ((next - z) * j) / parts, between: { a: k, b: occupied[i + 1], t: j / parts }, capBelow: false, capAbove: false });
    }
  });
  return out;
}

/** The z distance (mm) from an output plane at zOut to a section (its end cap included). */
function zGap(section: Section, zOut: number, half: number): number {
  const delta = zOut - section.z;
  if ((delta < 0 && section.capBelow) || (delta > 0 && section.capAbove)) return Math.max(0, Math.abs(delta) - half);
  return Math.abs(delta);
}

/**
 * expand(shape, m) or shrink(shape, m) as a contour ROI (see the file comment for the model and
 * the method). Planes where the result is empty are left out; `spacingMm` keeps the spacing.
 * @throws DosekitError E_UNKNOWN_THICKNESS (one plane, no thicknessMm), E_TOO_LARGE.
 */
export async function marginRoi(shape: BooleanShape, request: MarginRequest): Promise<MarginResult> {
  const checkpoint = createCheckpoint(request.signal);
  const planes = shapePlanes(shape);
  const spacing = shapeSpacingMm(shape, request.thicknessMm);
  const make = (contourPlanes: ContourPlane[]): MarginResult => ({
    roi: Object.freeze({
      number: request.number,
      name: request.name,
      color: paletteColor(request.number),
      colorFromFile: false,
      planes: Object.freeze(contourPlanes),
      empty: contourPlanes.length === 0,
    }),
    spacingMm: spacing,
  });
  if (!(spacing > 0) && planes.length > 0) {
    throw new DosekitError('E_UNKNOWN_THICKNESS', `${request.kind}() in "${request.name}": its operand has contours on one plane only, so its slab thickness is unknown; pass thicknessMm (--thickness-mm).`);
  }
  const grid = fineGrid(planes, request);
  if (!grid) return make([]);
  const size = grid.xs.length * grid.ys.length;
  const shrink = request.kind === 'shrink';
  const inPlaneMargin = grid.alongX || grid.alongY;

  // The planes where the operand has a region.
  const occupied: number[] = [];
  for (let k = 0; k < planes.length; k += 1) {
    await checkpoint();
    if (combineMasks({ xs: grid.xs, ys: grid.ys }, planes[k].leafRings, shape.tree).count > 0) occupied.push(k);
  }
  const occupiedZ = occupied.map((k) => planes[k].zMm);
  const half = spacing / 2;
  const mz = request.marginMm[2];
  const sections = sectionsOf(occupied, planes, spacing, grid.alongX && grid.alongY && mz > 0 ? Math.min(MAX_SECTION_GAP_MM, mz / 3) : Infinity);
  // Fields are made when first in reach and dropped once the output planes have passed them
  // (9 bytes per fine cell each).
  const fields = new Map<number, PlaneField>();
  const planeSection = new Map(sections.map((section, index) => [section.plane, index]));
  const fieldOf = (index: number): PlaneField => {
    let field = fields.get(index);
    if (!field) {
      const section = sections[index];
      field = section.between
        ? interpolatedField(grid, fieldOf(planeSection.get(section.between.a)!), fieldOf(planeSection.get(section.between.b)!), section.between.t)
        : planeField(grid, planes[section.plane!], shape.tree, !inPlaneMargin)!;
      fields.set(index, field);
    }
    return field;
  };
  const n2 = grid.cellsPerMargin * grid.cellsPerMargin;
  // Sections farther than this in z cannot reach the level set (near it the field changes by at
  // most one cell, 1/N of the margin, from one grid point to the next).
  const reachMm = mz > 0 ? mz * (inPlaneMargin ? 1 + 2 / grid.cellsPerMargin : 1) + 1e-9 : 1e-6;
  // The fields' memory is known now: refuse before computing any of them when it cannot fit.
  const alive = mostFieldsAlive(sections, 2 * reachMm + 2 * half + 3 * spacing);
  checkMemory(
    size * (FIELD_BYTES_PER_CELL * alive + 8 + 2),
    `${request.kind}(…, ${request.marginMm.join(', ')} mm) of "${request.name}" (${alive} plane fields of ${grid.xs.length} x ${grid.ys.length} cells)`,
    request.memoryLimitBytes,
    { cells: size, fields: alive },
  );
  const result: ContourPlane[] = [];
  for (const zOut of outputPlanes(planes.map((p) => p.zMm), occupiedZ, spacing, request)) {
    await checkpoint();
    const inReach = sections.map((section, index) => ({ index, dz: zGap(section, zOut, half) })).filter(({ dz }) => dz <= reachMm);
    const freeZ = shrink ? (mz > 0 ? distanceOutOfSlabs(zOut, occupiedZ, spacing) : Infinity) : Infinity;
    if (shrink && !(freeZ > mz || (mz === 0 && freeZ > 0))) continue;
    if (!shrink && inReach.length === 0) continue;
    const best = new Float64Array(size);
    if (!inPlaneMargin) {
      // Signed distance (cells): the union of the planes in reach (expand), or their intersection (shrink).
      best.fill(shrink ? -Infinity : Infinity);
      for (const { index } of inReach) {
        const { inside, boundary2 } = fieldOf(index);
        for (let c = 0; c < size; c += 1) {
          const d = inside[c] ? -Math.sqrt(boundary2[c]) : Math.sqrt(boundary2[c]);
          best[c] = shrink ? Math.max(best[c], d) : Math.min(best[c], d);
        }
      }
    } else {
      // Squared scaled distance to the operand (expand) or to its complement (shrink).
      best.fill(shrink ? (freeZ / mz) ** 2 : Infinity);
      const insideValue = shrink ? 0 : 1;
      for (const { index, dz } of inReach) {
        const { inside, boundary2 } = fieldOf(index);
        const wz = mz > 0 ? (dz / mz) ** 2 : 0;
        for (let c = 0; c < size; c += 1) {
          const d2 = (inside[c] === insideValue ? 0 : boundary2[c] / n2) + wz;
          if (d2 < best[c]) best[c] = d2;
        }
      }
      // Inside where D < 1 (expand) or where the complement is farther than 1 (shrink).
      for (let c = 0; c < size; c += 1) best[c] = shrink ? 1 - Math.sqrt(best[c]) : Math.sqrt(best[c]) - 1;
    }
    for (const index of fields.keys()) if (zOut - (sections[index].z + half) > reachMm) fields.delete(index);
    const rings = marchingSquares(best, grid.xs, grid.ys);
    if (rings.length === 0) continue;
    const zMm = roundHalfEven2(zOut);
    const contours: Contour[] = rings.map((ring) => {
      const pointsMm = new Float64Array((ring.length / 2) * 3);
      for (let p = 0, q = 0; p < ring.length; p += 2, q += 3) {
        pointsMm[q] = ring[p];
        pointsMm[q + 1] = ring[p + 1];
        pointsMm[q + 2] = zMm;
      }
      return Object.freeze({ geometricType: 'CLOSED_PLANAR', pointsMm, pointCount: ring.length / 2 });
    });
    result.push(Object.freeze({ zMm, key: dicompylerPlaneKey(zMm), contours: Object.freeze(contours) }));
  }
  return make(result);
}
