// SPDX-License-Identifier: BSD-3-Clause
// A derived ROI as a Boolean combination of contour ROIs (its leaves), and its planes: the union
// of its leaves' planes, on each of which a leaf absent from the plane contributes nothing.
import type { Roi } from '../model/structure-set.js';
import { smallestPlaneGapMm } from '../model/structure-volume.js';
import type { BooleanTree } from './boolean-tree.js';
import { planeRings } from './contour-rings.js';

/** A contour ROI a derived ROI is made of: one of the structure set's, or a margin's result. */
export interface ShapeLeaf {
  readonly roi: Roi;
  /** The leaf's plane spacing when it is known other than from its planes (a margin's result). */
  readonly spacingMm?: number;
}

/** A Boolean combination of leaves. */
export interface BooleanShape {
  readonly leaves: readonly ShapeLeaf[];
  readonly tree: BooleanTree;
}

/** One plane of a shape: its position and each leaf's rings there (null: leaf absent). */
export interface ShapePlane {
  readonly zMm: number;
  readonly key: string;
  readonly leafRings: readonly (readonly Float64Array[] | null)[];
}

/** The union of the leaves' planes (matched by dicompyler-core's plane key), in ascending z. */
export function shapePlanes(shape: BooleanShape): ShapePlane[] {
  const byKey = new Map<string, { zMm: number; leafRings: (Float64Array[] | null)[] }>();
  shape.leaves.forEach((leaf, k) => {
    for (const plane of leaf.roi.planes) {
      let entry = byKey.get(plane.key);
      if (!entry) {
        entry = { zMm: plane.zMm, leafRings: shape.leaves.map(() => null) };
        byKey.set(plane.key, entry);
      }
      const rings = planeRings(plane);
      entry.leafRings[k] = rings.length > 0 ? rings : null;
    }
  });
  return [...byKey.entries()].map(([key, p]) => ({ key, zMm: p.zMm, leafRings: p.leafRings })).sort((a, b) => a.zMm - b.zMm);
}

/** A leaf's own plane spacing (mm): known, else its smallest plane gap; 0 when it has one plane. */
export function leafSpacingMm(leaf: ShapeLeaf): number {
  return leaf.spacingMm ?? smallestPlaneGapMm(leaf.roi.planes.map((p) => p.zMm));
}

/**
 * A shape's plane spacing (mm): `thicknessMm` when given, else the smallest of its leaves' own
 * spacings, else the smallest gap between the union of their planes; 0 when unknown (one plane).
 */
export function shapeSpacingMm(shape: BooleanShape, thicknessMm?: number): number {
  if (thicknessMm) return thicknessMm;
  const own = shape.leaves.map(leafSpacingMm).filter((s) => s > 0);
  if (own.length > 0) return Math.min(...own);
  return smallestPlaneGapMm(shapePlanes(shape).map((p) => p.zMm));
}
