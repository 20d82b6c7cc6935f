// SPDX-License-Identifier: BSD-3-Clause
// A derived ROI in each DVH algorithm: its sample layers are the union of its operands' layers,
// and on each the inside-set is the Boolean combination of the operands' inside-sets at exactly
// the algorithm's samples (lattice-algebra.ts), handed on as rings that select those samples.
import type { DoseGrid } from '../model/dose-grid.js';
import type { Contour, ContourPlane, Roi } from '../model/structure-set.js';
import { planeAreaMm2 } from '../model/structure-volume.js';
import type { RoiFailure } from './calculation-plan.js';
import type { DvhCalculationOptions } from './calculation-options.js';
import { planeRings } from './contour-rings.js';
import { type ShapeLeaf, leafSpacingMm, shapePlanes, shapeSpacingMm } from './derived-shape.js';
import { type CombinedLayer, combineOnLattice } from './lattice-algebra.js';
import { type PreciseSlab, type PreciseStructure, chooseFactors, slabsOf } from './plan-precise.js';
import type { DerivedRoi } from './roi-algebra.js';
import type { InPlaneSampling } from './sampling.js';

function label(derived: DerivedRoi): string {
  return `ROI ${derived.roi.number} "${derived.roi.name}" = ${derived.expression}`;
}

function unknownThickness(derived: DerivedRoi): RoiFailure {
  return {
    code: 'E_UNKNOWN_THICKNESS',
    message: `${label(derived)}: its operands have contours on one plane only, so its slab thickness is unknown; pass thicknessMm (--thickness-mm).`,
  };
}

/** E_EMPTY_ROI when operands reach the lattice but the combination holds none of its samples, else E_NO_DOSE_OVERLAP. */
function emptyFailure(derived: DerivedRoi, operandsSampled: boolean): RoiFailure {
  if (!operandsSampled && derived.shape.leaves.some((l) => l.roi.planes.length > 0)) {
    return { code: 'E_NO_DOSE_OVERLAP', message: `${label(derived)}: none of its operands holds a dose-grid sample (they lie outside the dose grid).` };
  }
  return { code: 'E_EMPTY_ROI', message: `${label(derived)}: the expression holds no sample of the calculation (it is empty, or thinner than the sample spacing), so it has no volume and no DVH.` };
}

/** The dicompyler algorithm's form of a derived ROI: an ROI whose contours select exactly its samples. */
export interface DicompylerDerived {
  readonly roi: Roi;
  readonly thicknessMm: number;
}

/**
 * The derived ROI on the dicompyler algorithm's lattice: on every plane of its operands, the
 * combination of their voxel-centre (or supersampled) inside-sets. Its slab thickness is
 * thicknessMm, else the smallest of its operands' plane spacings.
 */
export function dicompylerDerived(derived: DerivedRoi, sampling: InPlaneSampling, options: DvhCalculationOptions): DicompylerDerived | RoiFailure {
  const planes = shapePlanes(derived.shape);
  const thicknessMm = shapeSpacingMm(derived.shape, options.thicknessMm);
  if (planes.length > 0 && !(thicknessMm > 0)) return unknownThickness(derived);
  const out: ContourPlane[] = [];
  let operandsSampled = false;
  for (const plane of planes) {
    const layer = combineOnLattice(sampling.lattice, plane.leafRings, derived.shape.tree);
    if (layer.operandSamples > 0) operandsSampled = true;
    if (layer.count === 0) continue;
    const contours: Contour[] = layer.rings.map((ring) => {
      const pointsMm = new Float64Array((ring.length / 2) * 3);
      for (let p = 0, q = 0; p < ring.length; p += 2, q += 3) {
        pointsMm[q] = ring[p];
        pointsMm[q + 1] = ring[p + 1];
        pointsMm[q + 2] = plane.zMm;
      }
      return { geometricType: 'CLOSED_PLANAR', pointsMm, pointCount: ring.length / 2 };
    });
    out.push({ zMm: plane.zMm, key: plane.key, contours });
  }
  if (out.length === 0) return emptyFailure(derived, operandsSampled);
  return { roi: { ...derived.roi, planes: out, empty: false }, thicknessMm };
}

function leafVolumeMm3(leaf: ShapeLeaf, spacingMm: number, options: DvhCalculationOptions): number {
  return slabsOf(leaf.roi, spacingMm, options.endCaps).reduce((v, s) => v + planeAreaMm2(s.plane) * (s.zHighMm - s.zLowMm), 0);
}

/** Boundaries closer than this (mm) are one (slab edges computed from different planes differ by rounding). */
const SAME_Z_MM = 1e-6;

/**
 * The derived ROI for the precise algorithm. Slab model: each operand keeps its own slabs (its
 * planes +- half its spacing, end caps as asked); the derived ROI's slabs are the pieces between
 * all operands' slab boundaries, and on each piece an operand contributes its slab's contours, or
 * nothing where it has no slab. Each piece is sampled on the supersampled lattice (both shifted
 * copies) with as many sub-slabs as its thickness warrants; the volume is the samples' volume.
 * The supersampling is chosen as for one ROI of the operands' summed volume, so every
 * expression over the same operands samples the same points.
 */
export function preciseDerived(derived: DerivedRoi, grid: DoseGrid, options: DvhCalculationOptions): PreciseStructure | RoiFailure {
  const { leaves, tree } = derived.shape;
  const spacingMm = shapeSpacingMm(derived.shape, options.thicknessMm);
  if (leaves.some((l) => l.roi.planes.length > 0) && !(spacingMm > 0)) return unknownThickness(derived);
  const leafSlabs = leaves.map((leaf) => {
    const spacing = options.thicknessMm || leafSpacingMm(leaf) || spacingMm;
    return slabsOf(leaf.roi, spacing, options.endCaps).map((s) => ({ ...s, rings: planeRings(s.plane) }));
  });
  const volumeMm3 = leaves.reduce((v, leaf) => v + leafVolumeMm3(leaf, options.thicknessMm || leafSpacingMm(leaf) || spacingMm, options), 0);
  const factors = chooseFactors(volumeMm3, grid, spacingMm, options);

  const bounds = leafSlabs.flatMap((slabs) => slabs.flatMap((s) => [s.zLowMm, s.zHighMm])).sort((a, b) => a - b);
  const edges: number[] = [];
  for (const z of bounds) if (edges.length === 0 || z - edges[edges.length - 1] > SAME_Z_MM) edges.push(z);

  let operandsSampled = false;
  const cache = new Map<string, CombinedLayer>();
  const samplingIds = new Map<InPlaneSampling, number>();
  const slabs: PreciseSlab[] = [];
  for (let e = 0; e + 1 < edges.length; e += 1) {
    const zLowMm = edges[e];
    const zHighMm = edges[e + 1];
    const mid = (zLowMm + zHighMm) / 2;
    const present = leafSlabs.map((list) => list.findIndex((s) => s.zLowMm <= mid && mid < s.zHighMm));
    if (present.every((k) => k < 0)) continue;
    const leafRings = present.map((k, leaf) => (k < 0 ? null : leafSlabs[leaf][k].rings));
    const key = present.join(',');
    slabs.push({
      zLowMm,
      zHighMm,
      layer(sampling: InPlaneSampling) {
        let id = samplingIds.get(sampling);
        if (id === undefined) {
          id = samplingIds.size;
          samplingIds.set(sampling, id);
        }
        const cacheKey = `${key}|${id}`;
        let layer = cache.get(cacheKey);
        if (!layer) {
          layer = combineOnLattice(sampling.lattice, leafRings, tree);
          if (layer.operandSamples > 0) operandsSampled = true;
          cache.set(cacheKey, layer);
        }
        return layer;
      },
    });
  }
  return {
    roi: derived.roi,
    spacingMm,
    factors,
    slabs,
    // The staircase of the samples' cells is the derived ROI's surface on the lattice.
    surface: (sampling) => slabs.map((s) => ({ rings: s.layer(sampling).rings, zLowMm: s.zLowMm, zHighMm: s.zHighMm })),
    emptyFailure: () => emptyFailure(derived, operandsSampled),
  };
}
