// SPDX-License-Identifier: BSD-3-Clause
import { newDicomUid } from '../dicom/write.js';
import { DosekitError } from '../errors.js';
import { DoseGrid } from '../model/dose-grid.js';
import { VERSION } from '../version.js';
import { quantizeDose } from './quantize.js';

/**
 * `grid` times `factor` as a new grid (Gy, full-range 32-bit pixels, new SOP Instance and Series
 * UIDs, DoseSummationType unchanged). dicompyler's `multiply`.
 * @throws DosekitError E_INVALID_ARGUMENT when `factor` is negative or not finite.
 */
export function scaleDoseGrid(grid: DoseGrid, factor: number): DoseGrid {
  if (!(grid instanceof DoseGrid)) throw new DosekitError('E_INVALID_ARGUMENT', 'scaleDoseGrid needs a DoseGrid.');
  if (!(typeof factor === 'number' && Number.isFinite(factor) && factor >= 0)) {
    throw new DosekitError('E_INVALID_ARGUMENT', `cannot multiply a dose by ${String(factor)}; the factor must be a finite number >= 0.`, { factor });
  }
  const gain = factor * grid.gyPerStoredUnit;
  const dose = new Float64Array(grid.voxelCount);
  const pixels = grid.pixels;
  for (let i = 0; i < dose.length; i += 1) dose[i] = gain * pixels[i];
  const { pixels: stored, doseGridScaling } = quantizeDose(dose);
  const absolute = grid.info.doseUnits === 'GY' || grid.info.doseUnits === 'CGY';
  return new DoseGrid(grid.geometry, stored, doseGridScaling, {
    ...grid.info,
    sopInstanceUid: newDicomUid(),
    seriesInstanceUid: newDicomUid(),
    doseUnits: absolute ? 'GY' : grid.info.doseUnits,
    comment: `dosekit ${VERSION}: dose x ${factor}`.slice(0, 64),
    source: `${factor} x ${grid.info.source}`,
    derivation: {
      operation: 'scale',
      inputs: [{ source: grid.info.source, sopInstanceUid: grid.info.sopInstanceUid, referencedPlanUid: grid.info.referencedPlanUid, weight: factor, resampled: false }],
      order: 1,
      mode: 'constant',
      backend: { kind: 'cpu' },
      warnings: [],
    },
  });
}
