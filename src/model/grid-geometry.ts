// SPDX-License-Identifier: BSD-3-Clause
import { requireFiniteNumber } from '../validate.js';
import { requireGridGeometry } from './model-arguments.js';
import type { PatientOrientation } from './orientation.js';

/**
 * The geometry of a stack of axial planes (an RT Dose grid or an image series).
 * Index order of the data is frame-major: value[(frame * rows + row) * columns + column].
 */
export interface GridGeometry {
  readonly rows: number;
  readonly columns: number;
  readonly frames: number;
  /** ImagePositionPatient of the first frame: centre of pixel (row 0, column 0), mm. */
  readonly originMm: readonly [number, number, number];
  /** Direction cosines of increasing column index (ImageOrientationPatient[0..2]). */
  readonly rowCosines: readonly [number, number, number];
  /** Direction cosines of increasing row index (ImageOrientationPatient[3..5]). */
  readonly columnCosines: readonly [number, number, number];
  /** PixelSpacing in DICOM order: [between rows (along the column direction), between columns], mm. */
  readonly pixelSpacingMm: readonly [number, number];
  /** Offset of each frame from the first along the plane normal, mm (GridFrameOffsetVector made relative). */
  readonly frameOffsetsMm: Float64Array;
  /** Patient z of each frame, mm (may decrease). */
  readonly frameZMm: Float64Array;
  readonly orientation: PatientOrientation;
  /** 0 when columns run along patient x; 1 for decubitus, where columns run along patient y. */
  readonly xLutIndex: 0 | 1;
  readonly headFirst: boolean;
}

/** Patient coordinates (mm) of the centre of voxel (column, row, frame). */
export function indexToPatientMm(g: GridGeometry, column: number, row: number, frame: number): [number, number, number] {
  requireGridGeometry(g, 'geometry');
  requireFiniteNumber(column, 'column');
  requireFiniteNumber(row, 'row');
  requireFiniteNumber(frame, 'frame');
  const dc = g.pixelSpacingMm[1];
  const dr = g.pixelSpacingMm[0];
  const x = g.originMm[0] + g.rowCosines[0] * dc * column + g.columnCosines[0] * dr * row;
  const y = g.originMm[1] + g.rowCosines[1] * dc * column + g.columnCosines[1] * dr * row;
  const z = frameZ(g, frame);
  return [x, y, z];
}

function frameZ(g: GridGeometry, frame: number): number {
  const lower = Math.max(0, Math.min(g.frames - 1, Math.floor(frame)));
  if (lower === frame || g.frames === 1) return g.frameZMm[lower];
  const upper = Math.min(g.frames - 1, lower + 1);
  const t = frame - lower;
  return g.frameZMm[lower] + t * (g.frameZMm[upper] - g.frameZMm[lower]);
}

/**
 * dicompyler-core's patient-to-pixel lookup tables: patient coordinate of each column and row
 * centre. For decubitus grids the column table holds y values and the row table x values.
 * Built like numpy.linspace from the first to the last pixel centre so they match bit for bit.
 */
export function patientToPixelLut(g: GridGeometry): { columnLutMm: Float64Array; rowLutMm: Float64Array } {
  requireGridGeometry(g, 'geometry');
  const dc = g.pixelSpacingMm[1];
  const dr = g.pixelSpacingMm[0];
  // Last pixel centre from the DICOM affine, summed in the affine's term order.
  const lastX = g.rowCosines[0] * dc * (g.columns - 1) + g.columnCosines[0] * dr * (g.rows - 1) + 0 * 0 + g.originMm[0];
  const lastY = g.rowCosines[1] * dc * (g.columns - 1) + g.columnCosines[1] * dr * (g.rows - 1) + 0 * 0 + g.originMm[1];
  const firstColumn = g.xLutIndex === 0 ? g.originMm[0] : g.originMm[1];
  const lastColumn = g.xLutIndex === 0 ? lastX : lastY;
  const firstRow = g.xLutIndex === 0 ? g.originMm[1] : g.originMm[0];
  const lastRow = g.xLutIndex === 0 ? lastY : lastX;
  return { columnLutMm: linspace(firstColumn, lastColumn, g.columns), rowLutMm: linspace(firstRow, lastRow, g.rows) };
}

/** numpy.linspace(start, stop, count) with endpoint, reproduced exactly (k * step + start, last = stop). */
export function linspace(start: number, stop: number, count: number): Float64Array {
  const out = new Float64Array(count);
  if (count === 0) return out;
  if (count === 1) {
    out[0] = start;
    return out;
  }
  const delta = stop - start;
  const step = delta / (count - 1);
  if (step === 0) {
    for (let k = 0; k < count; k += 1) out[k] = ((k / (count - 1)) * delta) + start;
  } else {
    for (let k = 0; k < count; k += 1) out[k] = k * step + start;
  }
  out[count - 1] = stop;
  return out;
}
