// SPDX-License-Identifier: BSD-3-Clause
// Where a DVH calculation samples the dose in-plane: the dose grid's voxel centres (dicompyler-core)
// or a finer lattice of `factor` samples per voxel and axis, the dose interpolated bilinearly.
import type { DosePlaneInput } from '../kernels/dose-histogram.js';
import type { SampleLattice } from '../kernels/polygon-mask.js';
import type { DoseGrid } from '../model/dose-grid.js';
import { patientToPixelLut } from '../model/grid-geometry.js';
import { numpyMeanDiff } from './numpy-sum.js';

/** The in-plane sample lattice of a calculation and how dose planes map onto it. */
export interface InPlaneSampling {
  readonly lattice: SampleLattice;
  readonly factorX: number;
  readonly factorY: number;
  /** Area one sample stands for, mm^2. */
  readonly sampleAreaMm2: number;
  /** Dose voxel size along lattice x and y, mm. */
  readonly voxelMm: readonly [number, number];
  /** The kernel input for a dose plane (stored units, rows x columns). */
  plane(values: ArrayLike<number>): DosePlaneInput;
}

function meanSpacing(lut: Float64Array, fallbackMm: number): number {
  return lut.length >= 2 ? numpyMeanDiff(lut) : fallbackMm;
}

function baseLattice(grid: DoseGrid): { xs: Float64Array; ys: Float64Array; transposed: boolean; stepX: number; stepY: number } {
  const g = grid.geometry;
  const { columnLutMm, rowLutMm } = patientToPixelLut(g);
  const transposed = g.xLutIndex === 1;
  const xs = transposed ? rowLutMm : columnLutMm;
  const ys = transposed ? columnLutMm : rowLutMm;
  const columnStep = meanSpacing(columnLutMm, g.pixelSpacingMm[1]);
  const rowStep = meanSpacing(rowLutMm, g.pixelSpacingMm[0]);
  return { xs, ys, transposed, stepX: transposed ? rowStep : columnStep, stepY: transposed ? columnStep : rowStep };
}

/**
 * Voxel-centre sampling, as dicompyler-core: lattice x from the column LUT and y from the row
 * LUT (swapped for decubitus grids), sample area = |mean column step| x |mean row step| computed
 * with numpy's summation order.
 */
export function voxelCentreSampling(grid: DoseGrid): InPlaneSampling {
  const base = baseLattice(grid);
  const g = grid.geometry;
  return {
    lattice: { xs: base.xs, ys: base.ys },
    factorX: 1,
    factorY: 1,
    sampleAreaMm2: Math.abs(base.stepX * base.stepY),
    voxelMm: [Math.abs(base.stepX), Math.abs(base.stepY)],
    plane: (values) => ({ values, rows: g.rows, columns: g.columns, transposed: base.transposed, factorX: 1, factorY: 1 }),
  };
}

function subdivide(axis: Float64Array, step: number, factor: number, offsetMm: number): Float64Array {
  const out = new Float64Array(axis.length * factor);
  for (let i = 0; i < out.length; i += 1) out[i] = axis[0] + ((i + 0.5) / factor - 0.5) * step + offsetMm;
  return out;
}

/**
 * Supersampled lattice: each voxel split into `factorX` x `factorY` equal cells sampled at their
 * centres (with odd factors the voxel centres are among them); the kernel interpolates the dose
 * bilinearly at exactly those positions. `offsetMm` moves the lattice (not the dose positions)
 * by a tiny distance along x and y, for boundary handling (see the precise algorithm).
 */
export function supersampledSampling(grid: DoseGrid, factorX: number, factorY: number, offsetMm = 0): InPlaneSampling {
  if (factorX === 1 && factorY === 1 && offsetMm === 0) return voxelCentreSampling(grid);
  const base = baseLattice(grid);
  const g = grid.geometry;
  return {
    lattice: { xs: subdivide(base.xs, base.stepX, factorX, offsetMm), ys: subdivide(base.ys, base.stepY, factorY, offsetMm) },
    factorX,
    factorY,
    sampleAreaMm2: Math.abs((base.stepX / factorX) * (base.stepY / factorY)),
    voxelMm: [Math.abs(base.stepX), Math.abs(base.stepY)],
    plane: (values) => ({ values, rows: g.rows, columns: g.columns, transposed: base.transposed, factorX, factorY }),
  };
}
