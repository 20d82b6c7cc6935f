// SPDX-License-Identifier: BSD-3-Clause
// The `dicompyler` algorithm: dicompyler-core 0.5.7's get_dvh, planned as sample layers.
import type { DoseBinning, HistogramTarget } from '../kernels/dose-histogram.js';
import type { DoseGrid } from '../model/dose-grid.js';
import { bracketDosePlane, locateDosePlane } from '../model/dose-plane.js';
import { planeContours } from '../model/contour-duplicates.js';
import { evenOddAreaMm2 } from '../model/even-odd-area.js';
import { smallestPlaneGapMm } from '../model/structure-volume.js';
import type { Roi } from '../model/structure-set.js';
import type { CalculationPlan, RoiFailure, RoiWork, SampleLayer } from './calculation-plan.js';
import type { DvhCalculationOptions } from './calculation-options.js';
import { planeRings } from './contour-rings.js';
import { histogramBinning } from './dose-binning.js';
import { DVH, type DvhProvenance } from './dvh.js';
import { type InPlaneSampling, supersampledSampling, voxelCentreSampling } from './sampling.js';

export const NOTE_FULL = 'Dose grid does not encompass every contour. Volume calculated for all contours.';
export const NOTE_WITHIN = 'Dose grid does not encompass every contour. Volume calculated within dose grid.';

/**
 * dicompyler-core's bins: floor(max dose in cGy) + 1 bins of 1 cGy, lowered to `limitCGy` when
 * given; coarser past MAX_HISTOGRAM_BINS (see histogramBinning).
 */
function binning(grid: DoseGrid, options: DvhCalculationOptions): DoseBinning {
  return histogramBinning('dicompyler', grid, options).binning;
}

/** The in-plane lattice of the dicompyler algorithm: voxel centres, or supersampled with interpolationResolutionMm. */
export function dicompylerSampling(grid: DoseGrid, options: DvhCalculationOptions): InPlaneSampling {
  const resolution = options.interpolationResolutionMm;
  if (resolution === undefined) return voxelCentreSampling(grid);
  const [rowMm, columnMm] = typeof resolution === 'number' ? [resolution, resolution] : resolution;
  const g = grid.geometry;
  const columnFactor = Math.max(1, Math.round(g.pixelSpacingMm[1] / columnMm));
  const rowFactor = Math.max(1, Math.round(g.pixelSpacingMm[0] / rowMm));
  // Lattice x runs along columns, except on decubitus grids where it runs along rows.
  return g.xLutIndex === 1 ? supersampledSampling(grid, rowFactor, columnFactor) : supersampledSampling(grid, columnFactor, rowFactor);
}

interface DicompylerLayer extends SampleLayer {
  readonly thicknessMm: number;
  readonly volumeOnly: boolean;
}

/** Whether XORing every contour of every plane, repeats included (dicompyler-core's rule), leaves no area. */
function cancels(roi: Roi): boolean {
  return roi.planes.every((plane) => evenOddAreaMm2(planeRings(plane, { keepRepeats: true }), 2) === 0);
}

/** Why an ROI whose contours cancel under the XOR rule has no DVH (not the dose grid's fault). */
function cancelFailure(roi: Roi): RoiFailure {
  const repeats = roi.planes.reduce((n, plane) => n + planeContours(plane).duplicates, 0);
  const cause =
    repeats > 0
      ? `${repeats} of its contours repeat another contour of their plane, and dicompyler-core's XOR of contours cancels a contour and its repeat; the precise algorithm counts a repeated contour once`
      : 'each contour is traced back over itself, or its contours cancel one another';
  return { code: 'E_EMPTY_ROI', message: `ROI ${roi.number} "${roi.name}": under the dicompyler algorithm its contours enclose no area (${cause}), so it has no volume and no DVH.` };
}

function roiWork(roi: Roi, index: number, grid: DoseGrid, lattice: InPlaneSampling, bins: DoseBinning, options: DvhCalculationOptions, provenance: DvhProvenance, ownThicknessMm?: number): RoiWork {
  const thickness = options.thicknessMm ? options.thicknessMm : (ownThicknessMm ?? smallestPlaneGapMm(roi.planes.map((p) => p.zMm)));
  const segments = options.interpolationSegmentsBetweenPlanes ?? 0;
  const interpolating = segments > 0 || options.interpolationResolutionMm !== undefined;
  const fullVolume = options.calculateFullVolume ?? true;
  // dicompyler-core walks the planes in string-sorted key order; only float summation order depends on it.
  const planes = [...roi.planes].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const layers: DicompylerLayer[] = [];
  let note: string | undefined;
  for (const plane of planes) {
    const rings = planeRings(plane, { keepRepeats: true });
    const parts = segments + 1;
    for (let k = 0; k < parts; k += 1) {
      const z = parts === 1 ? plane.zMm : plane.zMm + ((k + 0.5) / parts - 0.5) * thickness;
      const source = interpolating ? bracketDosePlane(grid, z) : locateDosePlane(grid, z, 0.5);
      if (source) layers.push({ source, sampling: lattice, rings, target: index, counted: 0, thicknessMm: thickness / parts, volumeOnly: false });
      else if (fullVolume) {
        // dicompyler-core counts such a plane against the first frame, for volume only.
        note = NOTE_FULL;
        layers.push({ source: { kind: 'frame', frame: 0 }, sampling: lattice, rings, target: -1, counted: 0, thicknessMm: thickness / parts, volumeOnly: true });
      } else note = NOTE_WITHIN;
    }
  }
  return {
    roi,
    layers,
    finish(targets: readonly HistogramTarget[]): DVH | RoiFailure {
      let volumeMm3 = 0;
      for (const layer of layers) volumeMm3 += layer.counted * (lattice.sampleAreaMm2 * layer.thicknessMm);
      const volumeCm3 = volumeMm3 / 1000;
      const histogram = targets[index].counts;
      let total = 0;
      let last = -1;
      for (let b = 0; b < histogram.length; b += 1) {
        total += histogram[b];
        if (histogram[b] > 0) last = b;
      }
      if (last < 0) {
        if (cancels(roi)) return cancelFailure(roi);
        const why = options.limitCGy !== undefined ? 'it is outside the dose grid, smaller than its spacing, or all its dose lies above limitCGy' : 'it is outside the dose grid or smaller than its spacing';
        return { code: 'E_NO_DOSE_OVERLAP', message: `ROI ${roi.number} "${roi.name}": no dose-grid sample inside its contours was counted (${why}).` };
      }
      // dicompyler-core: hist * volume / sum(hist), which also spreads out-of-grid volume.
      const counts = new Float64Array(last + 1);
      for (let b = 0; b <= last; b += 1) counts[b] = (histogram[b] * volumeCm3) / total;
      const edges = new Float64Array(last + 2);
      for (let k = 0; k < edges.length; k += 1) edges[k] = (k * bins.binWidthCGy) / 100;
      return new DVH({
        counts, bins: edges, type: 'differential', doseUnits: 'Gy', volumeUnits: 'cm3', name: roi.name, color: [...roi.color] as [number, number, number],
        ...(note ? { notes: note } : {}), lookup: 'dicompyler', computedBy: provenance,
      }).cumulative;
    },
  };
}

/**
 * Plans the dicompyler algorithm for `rois` (all already checked to be calculable). `thicknessOf`
 * gives an ROI's slab thickness when its planes do not (a derived ROI's); `thicknessMm` overrides it.
 */
export function planDicompyler(rois: readonly Roi[], grid: DoseGrid, options: DvhCalculationOptions, provenance: (roi: Roi) => DvhProvenance, thicknessOf?: (roi: Roi) => number | undefined): CalculationPlan {
  const bins = binning(grid, options);
  const lattice = dicompylerSampling(grid, options);
  return { binning: bins, targetCount: rois.length, rois: rois.map((roi, index) => roiWork(roi, index, grid, lattice, bins, options, provenance(roi), thicknessOf?.(roi))) };
}
