// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';
import type { GridGeometry } from '../model/grid-geometry.js';
import { classifyOrientation } from '../model/orientation.js';
import { type NaturalDataset, type ReadContext, optionalNumberList, requiredNumber, requiredNumberList, strictOptionalNumber } from './naturalized.js';

function positiveInteger(ds: NaturalDataset, keyword: string, ctx: ReadContext, what: string): number {
  const value = requiredNumber(ds, keyword, ctx, what);
  if (!Number.isInteger(value) || value < 1) {
    throw new DosekitError('E_MALFORMED_DICOM', `${ctx.file}: ${keyword} is ${value}; it must be a positive integer (${what}).`, { file: ctx.file, attribute: keyword });
  }
  return value;
}

/**
 * Reads the grid geometry of an RT Dose or an image: size, position, orientation, spacing and
 * frame offsets. Validates everything a later calculation would otherwise trip over.
 */
export function readGridGeometry(ds: NaturalDataset, ctx: ReadContext, options: { requireFrameOffsets: boolean }): GridGeometry {
  const rows = positiveInteger(ds, 'Rows', ctx, 'number of pixel rows');
  const columns = positiveInteger(ds, 'Columns', ctx, 'number of pixel columns');
  const framesValue = strictOptionalNumber(ds, 'NumberOfFrames', ctx) ?? 1;
  if (!Number.isInteger(framesValue) || framesValue < 1) {
    throw new DosekitError('E_MALFORMED_DICOM', `${ctx.file}: NumberOfFrames is ${framesValue}; it must be a positive integer.`, { file: ctx.file, attribute: 'NumberOfFrames' });
  }
  const frames = framesValue;
  const position = requiredNumberList(ds, 'ImagePositionPatient', ctx, 'position of the first pixel', 3);
  const cosines = requiredNumberList(ds, 'ImageOrientationPatient', ctx, 'direction cosines of rows and columns', 6);
  const spacing = requiredNumberList(ds, 'PixelSpacing', ctx, 'distance between pixel centres', 2);
  if (!(spacing[0] > 0 && spacing[1] > 0)) {
    throw new DosekitError('E_MALFORMED_DICOM', `${ctx.file}: PixelSpacing [${spacing.join(', ')}] must be positive.`, { file: ctx.file, attribute: 'PixelSpacing' });
  }
  const orientation = classifyOrientation(cosines, ctx.file);

  let offsets = optionalNumberList(ds, 'GridFrameOffsetVector', ctx);
  if (offsets === undefined) {
    if (options.requireFrameOffsets && frames > 1) {
      throw new DosekitError('E_MISSING_ATTRIBUTE', `${ctx.file}: GridFrameOffsetVector is missing but the grid has ${frames} frames; the frame positions are unknown. Re-export the RT Dose.`, {
        file: ctx.file,
        attribute: 'GridFrameOffsetVector',
      });
    }
    offsets = [0];
  }
  if (offsets.length !== frames) {
    throw new DosekitError('E_MALFORMED_DICOM', `${ctx.file}: GridFrameOffsetVector has ${offsets.length} values but NumberOfFrames is ${frames}; they must match.`, {
      file: ctx.file,
      attribute: 'GridFrameOffsetVector',
    });
  }
  // PS3.3 C.8.8.3.2: a first offset of 0 means relative offsets; a non-zero first offset must
  // equal the z of ImagePositionPatient and the vector is then absolute. Make it relative.
  const first = offsets[0];
  const absolute = first !== 0 && Math.abs(first - position[2]) < 1e-3;
  const frameOffsetsMm = Float64Array.from(offsets, (o) => (absolute ? o - first : o));
  const normalZ = orientation.headFirst ? 1 : -1;
  const frameZMm = Float64Array.from(frameOffsetsMm, (o) => position[2] + normalZ * o);
  // Frames must be at distinct positions, in one direction (increasing or decreasing).
  const direction = frames > 1 ? Math.sign(frameOffsetsMm[1] - frameOffsetsMm[0]) : 1;
  for (let k = 1; k < frames; k += 1) {
    if (Math.sign(frameOffsetsMm[k] - frameOffsetsMm[k - 1]) !== direction || direction === 0) {
      throw new DosekitError(
        'E_MALFORMED_DICOM',
        `${ctx.file}: GridFrameOffsetVector is not strictly monotonic (frames ${k - 1} and ${k} at ${frameOffsetsMm[k - 1]} and ${frameOffsetsMm[k]} mm); frames must be at distinct positions in one direction.`,
        { file: ctx.file, attribute: 'GridFrameOffsetVector' },
      );
    }
  }
  return Object.freeze({
    rows,
    columns,
    frames,
    originMm: [position[0], position[1], position[2]] as const,
    rowCosines: [cosines[0], cosines[1], cosines[2]] as const,
    columnCosines: [cosines[3], cosines[4], cosines[5]] as const,
    pixelSpacingMm: [spacing[0], spacing[1]] as const,
    frameOffsetsMm,
    frameZMm,
    orientation: orientation.name,
    xLutIndex: orientation.xLutIndex,
    headFirst: orientation.headFirst,
  });
}
