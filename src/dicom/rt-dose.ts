// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';
import { type DicomAttributeSet, DoseGrid } from '../model/dose-grid.js';
import { readGridGeometry } from './geometry.js';
import { type NaturalDataset, type ReadContext, optionalString, sequence, strictOptionalNumber } from './naturalized.js';
import { readPixelFormat, readPixels } from './pixel-data.js';
import type { DicomRead } from './read.js';

/** Warnings of the file read that concern the dose values (see DoseGridInfo.warnings). */
const GRID_WARNINGS: ReadonlySet<string> = new Set(['W_TRAILING_PADDING', 'W_PIXEL_DATA_PADDING']);

/** Reads DoseGridScaling, refusing values that would silently corrupt every dose. */
export function readDoseGridScaling(read: DicomRead): number {
  const ctx: ReadContext = { file: read.file };
  const scaling = strictOptionalNumber(read.dataset, 'DoseGridScaling', ctx) ?? 1;
  if (!(scaling > 0) || !Number.isFinite(scaling)) {
    throw new DosekitError('E_MALFORMED_DICOM', `${read.file}: DoseGridScaling is ${scaling}; it must be a positive finite number. The RT Dose is damaged; re-export it.`, {
      file: read.file,
      attribute: 'DoseGridScaling',
    });
  }
  return scaling;
}

/** The dataset without its pixels (kept as a view or a copy by the grid itself), for writing derived doses. */
function sourceAttributes(ds: NaturalDataset): DicomAttributeSet {
  const { PixelData: _pixels, ...rest } = ds;
  return Object.freeze(rest) as unknown as DicomAttributeSet;
}

/** Builds the DoseGrid model of an RT Dose dataset (pixels stay a view of the file bytes). */
export function readDoseGrid(read: DicomRead): DoseGrid {
  const ds = read.dataset;
  const geometry = readGridGeometry(ds, { file: read.file }, { requireFrameOffsets: true });
  const format = readPixelFormat(read, geometry.frames);
  if (format.bitsAllocated !== 16 && format.bitsAllocated !== 32) {
    throw new DosekitError('E_MALFORMED_DICOM', `${read.file}: BitsAllocated is ${format.bitsAllocated}; an RT Dose stores 16 or 32 bits per value (PS3.3 C.8.8.3.4.1). The file is damaged; export it again.`, {
      file: read.file,
      attribute: 'BitsAllocated',
    });
  }
  if (format.samplesPerPixel !== 1) {
    throw new DosekitError('E_MALFORMED_DICOM', `${read.file}: SamplesPerPixel is ${format.samplesPerPixel}; an RT Dose has one sample per pixel.`, { file: read.file, attribute: 'SamplesPerPixel' });
  }
  const pixels = readPixels(read, format);
  const scaling = readDoseGridScaling(read);
  // Padding passed over while reading travels with the grid, so that its DVHs can say so.
  const warnings = read.warnings.filter((w) => GRID_WARNINGS.has(w.code)).map((w) => w.message);
  const plan = sequence(ds, 'ReferencedRTPlanSequence')[0];
  const structureSet = sequence(ds, 'ReferencedStructureSetSequence')[0];
  return new DoseGrid(geometry, pixels, scaling, {
    sopInstanceUid: optionalString(ds, 'SOPInstanceUID') ?? '',
    seriesInstanceUid: optionalString(ds, 'SeriesInstanceUID'),
    studyInstanceUid: optionalString(ds, 'StudyInstanceUID'),
    frameOfReferenceUid: optionalString(ds, 'FrameOfReferenceUID'),
    doseUnits: (optionalString(ds, 'DoseUnits') ?? 'GY').toUpperCase(),
    doseType: optionalString(ds, 'DoseType'),
    summationType: optionalString(ds, 'DoseSummationType'),
    comment: optionalString(ds, 'DoseComment'),
    referencedPlanUid: plan ? optionalString(plan, 'ReferencedSOPInstanceUID') : undefined,
    referencedStructureSetUid: structureSet ? optionalString(structureSet, 'ReferencedSOPInstanceUID') : undefined,
    source: read.file,
    sourceAttributes: sourceAttributes(ds),
    ...(warnings.length > 0 ? { warnings } : {}),
  });
}
