// SPDX-License-Identifier: BSD-3-Clause
import type { Image } from '../model/image.js';
import { readGridGeometry } from './geometry.js';
import { type ReadContext, optionalNumber, optionalNumberList, optionalString } from './naturalized.js';
import { readPixelFormat, readPixels } from './pixel-data.js';
import type { DicomRead } from './read.js';

/** Builds the Image model of a CT, MR or PET dataset. */
export function readImage(read: DicomRead): Image {
  const ds = read.dataset;
  const ctx: ReadContext = { file: read.file };
  const geometry = readGridGeometry(ds, ctx, { requireFrameOffsets: false });
  const format = readPixelFormat(read, geometry.frames);
  const width = optionalNumberList(ds, 'WindowWidth', ctx);
  const center = optionalNumberList(ds, 'WindowCenter', ctx);
  return Object.freeze({
    sopInstanceUid: optionalString(ds, 'SOPInstanceUID') ?? '',
    modality: optionalString(ds, 'Modality') ?? 'OT',
    geometry,
    pixels: readPixels(read, format),
    samplesPerPixel: format.samplesPerPixel,
    photometricInterpretation: optionalString(ds, 'PhotometricInterpretation') ?? 'MONOCHROME2',
    rescaleIntercept: optionalNumber(ds, 'RescaleIntercept', ctx) ?? 0,
    rescaleSlope: optionalNumber(ds, 'RescaleSlope', ctx) ?? 1,
    window: width && center ? ([width[0], center[0]] as const) : undefined,
    patientPosition: optionalString(ds, 'PatientPosition'),
    sliceThicknessMm: optionalNumber(ds, 'SliceThickness', ctx),
    source: read.file,
  });
}
