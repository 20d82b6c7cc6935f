// SPDX-License-Identifier: BSD-3-Clause
// The `precise` algorithm: the structure as a union of right prisms (each contour extruded over
// its slab), sampled on a lattice finer than the dose grid in-plane and through the slab, dose
// interpolated trilinearly at every sample, fine bins, exact prism volume, surface extremes.
import { type HistogramTarget, spreadCounts } from '../kernels/dose-histogram.js';
import { histogramBinning } from './dose-binning.js';
import type { DoseGrid } from '../model/dose-grid.js';
import type { DosePlaneSource } from '../model/dose-plane.js';
import { bracketDosePlane } from '../model/dose-plane.js';
import { planeAreaMm2, smallestPlaneGapMm } from '../model/structure-volume.js';
import type { Roi } from '../model/structure-set.js';
import type { CalculationPlan, RoiFailure, RoiWork, SampleLayer } from './calculation-plan.js';
import type { DvhCalculationOptions } from './calculation-options.js';
import { planeRings } from './contour-rings.js';
import { DVH, type DvhProvenance } from './dvh.js';
import { NOTE_FULL, NOTE_WITHIN } from './plan-dicompyler.js';
import { type InPlaneSampling, supersampledSampling } from './sampling.js';
import { type PrismSlab, surfaceStoredDoseRange } from './surface-dose.js';

/** Samples per ROI the automatic supersampling aims for. */
export const TARGET_SAMPLES_PER_ROI = 100_000;
/** The largest automatic supersampling factor per axis. */
export const MAX_SUPERSAMPLING = 15;
/** The lattice shift that splits samples on contour edges, mm (far above rounding, far below a cell). */
export const BOUNDARY_SHIFT_MM = 1e-6;
/** Histogram bin width of the precise algorithm (below MAX_HISTOGRAM_BINS bins), cGy. */
export { PRECISE_BIN_WIDTH_CGY } from './dose-binning.js';

function oddAtLeast(x: number): number {
  const n = Math.max(1, Math.ceil(x - 1e-9));
  return n % 2 === 1 ? n : n + 1;
}

/** Slab extents of each plane: +- half the contour spacing, end caps as asked. */
export function slabsOf(roi: Roi, spacingMm: number, endCaps: DvhCalculationOptions['endCaps']): { plane: Roi['planes'][number]; zLowMm: number; zHighMm: number }[] {
  const planes = [...roi.planes].sort((a, b) => a.zMm - b.zMm);
  const cap = endCaps === undefined || endCaps === 'half' ? spacingMm / 2 : endCaps === 'none' ? 0 : endCaps;
  return planes.map((plane, k) => ({
    plane,
    zLowMm: plane.zMm - (k === 0 ? cap : spacingMm / 2),
    zHighMm: plane.zMm + (k === planes.length - 1 ? cap : spacingMm / 2),
  }));
}

/**
 * The pair of frames the dose at z lies between (always two frames when the grid has two, so
 * the kernel knows the z gradient), with the fraction towards `upper`. Within half a frame
 * spacing beyond the first or last frame the end frame's dose holds (fraction 0 or 1); further
 * out there is no dose (null).
 */
function framePairAt(grid: DoseGrid, zMm: number): DosePlaneSource | null {
  const z = grid.geometry.frameZMm;
  const n = z.length;
  if (n === 1) return Math.abs(z[0] - zMm) <= 0.5 * Math.min(...grid.geometry.pixelSpacingMm) ? { kind: 'frame', frame: 0 } : null;
  const inside = bracketDosePlane(grid, zMm);
  if (inside && inside.kind === 'interpolated') return inside;
  let nearest = 0;
  for (let k = 1; k < n; k += 1) if (Math.abs(z[k] - zMm) < Math.abs(z[nearest] - zMm)) nearest = k;
  const half = Math.abs(z[1] - z[0]) / 2;
  if (!inside && Math.abs(z[nearest] - zMm) > half + 1e-9) return null;
  const neighbour = nearest === n - 1 ? nearest - 1 : nearest + 1;
  return { kind: 'interpolated', lower: neighbour, upper: nearest, fraction: 1 };
}

/** Supersampling per dose voxel and axis in-plane, and per contour slab. */
export interface Factors {
  readonly inPlane: number;
  readonly throughSlab: number;
}

/** The supersampling for a structure of `volumeMm3` (about TARGET_SAMPLES_PER_ROI samples) or the fixed option. */
export function chooseFactors(volumeMm3: number, grid: DoseGrid, spacingMm: number, options: DvhCalculationOptions): Factors {
  const fixed = options.supersampling;
  if (fixed !== undefined) return typeof fixed === 'number' ? { inPlane: fixed, throughSlab: fixed } : fixed;
  const edgeMm = Math.cbrt(Math.max(volumeMm3, 1e-6) / TARGET_SAMPLES_PER_ROI);
  const voxelMm = Math.max(...grid.geometry.pixelSpacingMm);
  return {
    inPlane: Math.min(MAX_SUPERSAMPLING, oddAtLeast(voxelMm / edgeMm)),
    throughSlab: Math.min(MAX_SUPERSAMPLING, oddAtLeast(spacingMm / edgeMm)),
  };
}

/** One slab of a structure for the precise algorithm. */
export interface PreciseSlab {
  readonly zLowMm: number;
  readonly zHighMm: number;
  /** The slab's rings on a lattice, with the number of the lattice's samples inside when known. */
  layer(sampling: InPlaneSampling): { readonly rings: readonly Float64Array[]; readonly count?: number };
}

/**
 * A structure as the precise algorithm samples it: an ROI's contour prisms, or a derived ROI
 * (structure algebra), whose slabs' rings depend on the lattice and whose volume is counted on
 * the samples (no exact prism volume exists for it).
 */
export interface PreciseStructure {
  readonly roi: Roi;
  readonly spacingMm: number;
  readonly factors: Factors;
  readonly slabs: readonly PreciseSlab[];
  /** The prism model's exact volume (mm^3); absent when the volume is counted on the samples. */
  readonly exactVolumeMm3?: number;
  /** The surface the dose extremes are searched on, on the calculation's lattice. */
  surface(sampling: InPlaneSampling): readonly PrismSlab[];
  /** Why there is no DVH when no sample lies inside (counted volume only). */
  emptyFailure?(): RoiFailure;
}

/** An ROI's contours as a precise-algorithm structure: right prisms, exact volume. */
export function contourStructure(roi: Roi, grid: DoseGrid, options: DvhCalculationOptions): PreciseStructure {
  const spacing = options.thicknessMm ? options.thicknessMm : smallestPlaneGapMm(roi.planes.map((p) => p.zMm));
  const slabs = slabsOf(roi, spacing, options.endCaps);
  const prism: PrismSlab[] = slabs.map((s) => ({ rings: planeRings(s.plane), zLowMm: s.zLowMm, zHighMm: s.zHighMm }));
  const exactVolumeMm3 = slabs.reduce((v, s) => v + planeAreaMm2(s.plane) * (s.zHighMm - s.zLowMm), 0);
  return {
    roi,
    spacingMm: spacing,
    factors: chooseFactors(exactVolumeMm3, grid, spacing, options),
    slabs: prism.map((slab) => ({ zLowMm: slab.zLowMm, zHighMm: slab.zHighMm, layer: () => ({ rings: slab.rings }) })),
    exactVolumeMm3,
    surface: () => prism,
  };
}

/** Why an ROI whose contours enclose no area has no DVH (not the dose grid's fault). */
export function noAreaFailure(roi: Roi): RoiFailure {
  return {
    code: 'E_EMPTY_ROI',
    message: `ROI ${roi.number} "${roi.name}": its contours enclose no area under the even-odd rule (each contour traced back over itself, or contours cancelling one another), so it has no volume and no DVH. Check the contours in the planning system.`,
  };
}

/**
 * Plans the precise algorithm for `rois` (all already checked to be calculable) and for the
 * derived structures `derived` (structure algebra), all in one pass.
 */
export function planPrecise(rois: readonly Roi[], grid: DoseGrid, options: DvhCalculationOptions, provenance: (roi: Roi) => DvhProvenance, derived: readonly PreciseStructure[] = []): CalculationPlan {
  // 0.1 cGy bins, coarser past MAX_HISTOGRAM_BINS (see histogramBinning).
  const bins = histogramBinning('precise', grid).binning;
  const samplings = new Map<number, [InPlaneSampling, InPlaneSampling]>();
  // Each layer is rasterised twice, on lattices moved by +/- BOUNDARY_SHIFT_MM, at half weight:
  // a sample lying exactly on a contour edge (common when contours and grid share round
  // coordinates) then counts half, as half its cell is inside, instead of all or nothing.
  const samplingFor = (factor: number) => {
    let s = samplings.get(factor);
    if (!s) {
      s = [supersampledSampling(grid, factor, factor, BOUNDARY_SHIFT_MM), supersampledSampling(grid, factor, factor, -BOUNDARY_SHIFT_MM)];
      samplings.set(factor, s);
    }
    return s;
  };
  let nextTarget = 0;
  const structures = [...rois.map((roi) => contourStructure(roi, grid, options)), ...derived];
  const works: RoiWork[] = structures.map((structure) => {
    const { roi, spacingMm: spacing, factors, exactVolumeMm3 } = structure;
    const counted = exactVolumeMm3 === undefined;
    const lattice = samplingFor(factors.inPlane);
    // Sub-slab thickness from the interior spacing; thinner end slabs get their own (weight) class.
    const targetByThickness = new Map<number, number>();
    const targets: { index: number; sampleVolumeMm3: number }[] = [];
    const layers: SampleLayer[] = [];
    let outside = false;
    // Counted volume (derived structures): every sample inside, and those within the dose grid, mm^3.
    let countedMm3 = 0;
    let countedInGridMm3 = 0;
    for (const slab of structure.slabs) {
      const thickness = slab.zHighMm - slab.zLowMm;
      if (!(thickness > 0)) continue;
      const onLattice = lattice.map((shifted) => slab.layer(shifted));
      const parts = Math.max(1, Math.round((thickness / spacing) * factors.throughSlab));
      const subMm = thickness / parts;
      const key = Math.round(subMm * 1e9);
      let target = targetByThickness.get(key);
      if (target === undefined) {
        target = nextTarget;
        nextTarget += 1;
        targetByThickness.set(key, target);
        targets.push({ index: target, sampleVolumeMm3: (lattice[0].sampleAreaMm2 * subMm) / 2 });
      }
      const slabSamples = onLattice.reduce((n, l) => n + (l.count ?? 0), 0);
      const sampleMm3 = (lattice[0].sampleAreaMm2 * subMm) / 2;
      for (let m = 0; m < parts; m += 1) {
        const z = slab.zLowMm + (m + 0.5) * subMm;
        const source = framePairAt(grid, z);
        countedMm3 += slabSamples * sampleMm3;
        if (!source) {
          if (!counted || slabSamples > 0) outside = true;
          continue;
        }
        countedInGridMm3 += slabSamples * sampleMm3;
        lattice.forEach((shifted, k) => {
          const { rings, count } = onLattice[k];
          if (count !== 0) layers.push({ source, sampling: shifted, rings, target, counted: 0, spreadCellZMm: subMm });
        });
      }
    }
    const fullVolume = options.calculateFullVolume ?? true;
    const sampleStepMm = Math.min(...grid.geometry.pixelSpacingMm) / factors.inPlane;
    const work: RoiWork = {
      roi,
      layers,
      async finish(totals: readonly HistogramTarget[], checkpoint: () => Promise<void>): Promise<DVH | RoiFailure> {
        const histogram = new Float64Array(bins.binCount);
        let sampledMm3 = 0;
        let minCGy = Infinity;
        let maxCGy = -Infinity;
        for (const { index, sampleVolumeMm3 } of targets) {
          const t = totals[index];
          const masses = spreadCounts(t);
          for (let b = 0; b < histogram.length; b += 1) {
            if (masses[b] === 0) continue;
            histogram[b] += masses[b] * sampleVolumeMm3;
            sampledMm3 += masses[b] * sampleVolumeMm3;
          }
          minCGy = Math.min(minCGy, t.minCGy);
          maxCGy = Math.max(maxCGy, t.maxCGy);
        }
        if (counted && !(countedMm3 > 0) && structure.emptyFailure) return structure.emptyFailure();
        if (!counted && !(exactVolumeMm3! > 0)) return noAreaFailure(roi);
        if (!(sampledMm3 > 0)) {
          return { code: 'E_NO_DOSE_OVERLAP', message: `ROI ${roi.number} "${roi.name}": no sample inside its contours lies within the dose grid.` };
        }
        // In-grid samples estimate the dose distribution; the volume is the prism model's, exactly
        // (for a derived structure: its samples' volume, counted exactly on the CPU).
        const volumeMm3 = counted ? (fullVolume ? countedMm3 : countedInGridMm3) : fullVolume ? exactVolumeMm3 : sampledMm3;
        let last = 0;
        for (let b = 0; b < histogram.length; b += 1) {
          histogram[b] = (histogram[b] / sampledMm3) * (volumeMm3 / 1000);
          if (histogram[b] > 0) last = b;
        }
        const cGyPerStored = bins.doseGridScaling * bins.unitsToCGy;
        const surface = await surfaceStoredDoseRange(grid, structure.surface(lattice[0]), sampleStepMm, checkpoint);
        const lowCGy = Math.min(minCGy, surface ? surface[0] * cGyPerStored : Infinity);
        const highCGy = Math.max(maxCGy, surface ? surface[1] * cGyPerStored : -Infinity);
        const edges = new Float64Array(last + 2);
        for (let k = 0; k < edges.length; k += 1) edges[k] = (k * bins.binWidthCGy) / 100;
        const lowGy = Math.max(0, Math.min(lowCGy / 100, edges[edges.length - 1]));
        const highGy = Math.max(lowGy, Math.min(highCGy / 100, edges[edges.length - 1]));
        return new DVH({
          counts: histogram.subarray(0, last + 1),
          bins: edges,
          type: 'differential',
          doseUnits: 'Gy',
          volumeUnits: 'cm3',
          name: roi.name,
          color: [...roi.color] as [number, number, number],
          ...(outside ? { notes: fullVolume ? NOTE_FULL : NOTE_WITHIN } : {}),
          lookup: 'interpolate',
          doseRange: [lowGy, highGy],
          computedBy: provenance(roi),
        }).cumulative;
      },
    };
    return work;
  });
  return { binning: bins, targetCount: nextTarget, rois: works };
}
