// SPDX-License-Identifier: BSD-3-Clause
// Where a DVH calculation samples the dose in-plane: the dose grid's voxel centres (dicompyler-core)
// or a finer lattice that tiles each voxel, with the dose interpolated bilinearly onto it.
import type { DosePlaneInput } from '../kernels/dose-histogram.js';
import type { SampleLattice } from '../kernels/polygon-mask.js';
import type { DoseGrid } from '../model/dose-grid.js';
import { patientToPixelLut } from '../model/grid-geometry.js';
import { numpyMeanDiff } from './numpy-sum.js';

/** The in-plane sample lattice of a calculation and how dose planes map onto it. */
export interface InPlaneSampling {
  readonly lattice: SampleLattice;
  /** Area one sample stands for, mm^2. */
  readonly sampleAreaMm2: number;
  /** The dose plane (stored units) on this lattice, from the grid's plane values (rows x columns). */
  toPlane(values: ArrayLike<number>): DosePlaneInput;
}

function meanSpacing(lut: Float64Array, fallbackMm: number): number {
  return lut.length >= 2 ? numpyMeanDiff(lut) : fallbackMm;
}

/**
 * Voxel-centre sampling, as dicompyler-core: lattice x from the column LUT and y from the row
 * LUT (swapped for decubitus grids), sample area = |mean column step| x |mean row step| computed
 * with numpy's summation order.
 */
export function voxelCentreSampling(grid: DoseGrid): InPlaneSampling {
  const g = grid.geometry;
  const { columnLutMm, rowLutMm } = patientToPixelLut(g);
  const transposed = g.xLutIndex === 1;
  const area = Math.abs(meanSpacing(columnLutMm, g.pixelSpacingMm[1]) * meanSpacing(rowLutMm, g.pixelSpacingMm[0]));
  return {
    lattice: transposed ? { xs: rowLutMm, ys: columnLutMm } : { xs: columnLutMm, ys: rowLutMm },
    sampleAreaMm2: area,
    toPlane: (values) => ({ values, columns: g.columns, transposed }),
  };
}

function subdivide(axis: Float64Array, factor: number): { positions: Float64Array; indices: Float64Array } {
  const n = axis.length;
  const step = n >= 2 ? (axis[n - 1] - axis[0]) / (n - 1) : 0;
  const positions = new Float64Array(n * factor);
  const indices = new Float64Array(n * factor);
  for (let i = 0; i < n; i += 1) {
    for (let k = 0; k < factor; k += 1) {
      const offset = (k + 0.5) / factor - 0.5; // in voxels, so the sub-samples tile the voxel
      positions[i * factor + k] = axis[i] + offset * step;
      indices[i * factor + k] = Math.min(n - 1, Math.max(0, i + offset));
    }
  }
  return { positions, indices };
}

/**
 * Supersampled lattice: each voxel split into `factorX` x `factorY` equal cells, sampled at
 * their centres, the dose interpolated bilinearly from the voxel centres (clamped at the grid
 * edge). Sample and dose positions coincide exactly (dicompyler-core's interpolation shifts
 * them by about a voxel; see the README).
 */
export function supersampledSampling(grid: DoseGrid, factorX: number, factorY: number): InPlaneSampling {
  const base = voxelCentreSampling(grid);
  const x = subdivide(base.lattice.xs, factorX);
  const y = subdivide(base.lattice.ys, factorY);
  const g = grid.geometry;
  const transposed = g.xLutIndex === 1;
  const nx = x.positions.length;
  const ny = y.positions.length;
  const baseNx = base.lattice.xs.length;
  return {
    lattice: { xs: x.positions, ys: y.positions },
    sampleAreaMm2: base.sampleAreaMm2 / (factorX * factorY),
    toPlane(values) {
      const at = (i: number, j: number) => values[transposed ? i * g.columns + j : j * g.columns + i];
      const out = new Float64Array(nx * ny);
      for (let jj = 0; jj < ny; jj += 1) {
        const fy = y.indices[jj];
        const j0 = Math.floor(fy);
        const j1 = Math.min(j0 + 1, base.lattice.ys.length - 1);
        const ty = fy - j0;
        for (let ii = 0; ii < nx; ii += 1) {
          const fx = x.indices[ii];
          const i0 = Math.floor(fx);
          const i1 = Math.min(i0 + 1, baseNx - 1);
          const tx = fx - i0;
          const top = at(i0, j0) * (1 - tx) + at(i1, j0) * tx;
          const bottom = at(i0, j1) * (1 - tx) + at(i1, j1) * tx;
          out[jj * nx + ii] = top * (1 - ty) + bottom * ty;
        }
      }
      return { values: out, columns: nx, transposed: false };
    },
  };
}
