// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';
import { dicompylerPlaneKey, roundHalfEven2 } from '../model/plane-key.js';
import { type Contour, type ContourPlane, type Roi, type RgbColor, type StructureSet, farVertexIndex, farVertexMessage, paletteColor } from '../model/structure-set.js';
import type { DicomRead } from './read.js';
import { type NaturalDataset, type ReadContext, optionalNumber, optionalNumberList, optionalString, sequence } from './naturalized.js';
import { checkMemory } from '../limits.js';
import { W_DUPLICATE_ROI_NUMBER, roiGeometryWarnings } from '../model/roi-warnings.js';
import type { DosekitWarning } from '../warnings.js';

function readColor(item: NaturalDataset | undefined, ctx: ReadContext): RgbColor | undefined {
  if (!item) return undefined;
  let values: number[] | undefined;
  try {
    values = optionalNumberList(item, 'ROIDisplayColor', ctx);
  } catch {
    return undefined;
  }
  if (!values || values.length !== 3) return undefined;
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  return [clamp(values[0]), clamp(values[1]), clamp(values[2])];
}

function contourPoints(raw: unknown): Float64Array | null {
  if (raw === undefined || raw === null) return new Float64Array(0);
  if (raw instanceof Float64Array) {
    if (raw.length % 3 !== 0) return null;
    for (let i = 0; i < raw.length; i += 1) if (!Number.isFinite(raw[i])) return null;
    return raw;
  }
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split('\\') : [raw];
  if (list.length % 3 !== 0) return null;
  const out = new Float64Array(list.length);
  for (let i = 0; i < list.length; i += 1) {
    const v = typeof list[i] === 'number' ? (list[i] as number) : Number(String(list[i]).trim());
    if (!Number.isFinite(v)) return null;
    out[i] = v;
  }
  return out;
}

interface RoiContours {
  planes: ContourPlane[];
  defect?: { code: 'E_MALFORMED_DICOM'; message: string };
}

function readContours(contourItems: NaturalDataset[], roiNumber: number, ctx: ReadContext): RoiContours {
  const byKey = new Map<string, { zMm: number; contours: Contour[] }>();
  let defect: RoiContours['defect'];
  contourItems.forEach((item, index) => {
    const points = contourPoints(item.ContourData);
    if (points === null) {
      defect ??= {
        code: 'E_MALFORMED_DICOM',
        message: `${ctx.file}: ROI ${roiNumber}, contour ${index + 1}: ContourData is not a list of finite x\\y\\z triples (NaN, infinite or missing values).`,
      };
      return;
    }
    if (points.length === 0) return;
    const far = farVertexIndex(points);
    if (far >= 0) {
      // The contour is kept (its coordinates are numbers), but no DVH is computed for the ROI.
      defect ??= { code: 'E_MALFORMED_DICOM', message: farVertexMessage(`${ctx.file}: ROI ${roiNumber}, contour ${index + 1}, vertex ${far + 1}`, points, far) };
    }
    const geometricType = optionalString(item, 'ContourGeometricType') ?? 'CLOSED_PLANAR';
    const zMm = points[2];
    const key = dicompylerPlaneKey(zMm);
    let plane = byKey.get(key);
    if (!plane) {
      plane = { zMm: roundHalfEven2(zMm), contours: [] };
      byKey.set(key, plane);
    }
    plane.contours.push(Object.freeze({ geometricType, pointsMm: points, pointCount: points.length / 3 }));
  });
  const planes = [...byKey.entries()]
    .map(([key, p]) => Object.freeze({ zMm: p.zMm, key, contours: Object.freeze(p.contours) }))
    .sort((a, b) => a.zMm - b.zMm);
  return { planes, defect };
}

/** The warning both ROIs of a shared ROI Number carry, naming every ROI that uses it. */
function duplicateNumberWarning(file: string, number: number, items: NaturalDataset[]): DosekitWarning {
  const names = items.map((item) => `"${optionalString(item, 'ROIName') ?? `ROI ${number}`}"`);
  return {
    code: W_DUPLICATE_ROI_NUMBER,
    file,
    message:
      `${file}: ROI Number ${number} is used by ${items.length} ROIs (${names.join(' and ')}). All are kept, the n-th of them with the n-th ROIContourSequence item that references ${number}; ` +
      `selecting ROI ${number} by number gives ${names[0]} (the first in file order), so select the others by name. Renumber the ROIs in the planning system and export again.`,
  };
}

/**
 * Builds the StructureSet model of an RT Structure Set dataset.
 * ROIs are listed in StructureSetROISequence order; contours are grouped into planes by the
 * first point's z rounded to 0.01 mm (dicompyler-core's grouping). Warnings (ROIs sharing an ROI
 * Number, contours read as closed or repeated, no ROIContourSequence) go to `read.warnings`.
 * @throws DosekitError E_MISSING_ATTRIBUTE when StructureSetROISequence is missing or empty, or an
 *   item has no ROINumber.
 */
export function readStructureSet(read: DicomRead): StructureSet {
  const ds = read.dataset;
  const ctx: ReadContext = { file: read.file };
  // ContourData text needs at least 2 bytes a value, each kept as an 8-byte float: at most 4x the file.
  checkMemory(4 * read.byteLength, `${read.file}: the contour coordinates`, undefined, { file: read.file, attribute: 'ContourData' });
  const roiItems = sequence(ds, 'StructureSetROISequence');
  if (roiItems.length === 0) {
    // Without it no ROI can be named or numbered; reading on would report an empty structure set as if that were the file's content.
    throw new DosekitError(
      'E_MISSING_ATTRIBUTE',
      `${read.file}: the RT Structure Set has no StructureSetROISequence (3006,0020) items, so it defines no ROIs. The file is incomplete; export the structure set again.`,
      { file: read.file, attribute: 'StructureSetROISequence' },
    );
  }
  // An ROI Number used twice pairs its n-th StructureSetROISequence item with its n-th ROIContourSequence item.
  const contoursByRoi = new Map<number, NaturalDataset[]>();
  for (const item of sequence(ds, 'ROIContourSequence')) {
    const number = optionalNumber(item, 'ReferencedROINumber', ctx);
    if (number !== undefined) contoursByRoi.set(number, [...(contoursByRoi.get(number) ?? []), item]);
  }
  if (ds.ROIContourSequence === undefined || ds.ROIContourSequence === null) {
    read.warnings.push({
      code: 'W_NO_ROI_CONTOURS',
      file: read.file,
      message: `${read.file}: the RT Structure Set has no ROIContourSequence (3006,0039), so none of its ${roiItems.length} ROIs has contours; each is empty (no volume, no DVH).`,
    });
  }
  const typeByRoi = new Map<number, string>();
  for (const item of sequence(ds, 'RTROIObservationsSequence')) {
    const number = optionalNumber(item, 'ReferencedROINumber', ctx);
    const type = optionalString(item, 'RTROIInterpretedType');
    if (number !== undefined && type !== undefined && !typeByRoi.has(number)) typeByRoi.set(number, type);
  }
  const rois: Roi[] = [];
  const seen = new Map<number, number>();
  const itemsByNumber = new Map<number, number[]>();
  roiItems.forEach((item, index) => {
    const number = optionalNumber(item, 'ROINumber', ctx);
    if (number !== undefined) itemsByNumber.set(number, [...(itemsByNumber.get(number) ?? []), index]);
  });
  for (const item of roiItems) {
    const number = optionalNumber(item, 'ROINumber', ctx);
    if (number === undefined) {
      throw new DosekitError('E_MISSING_ATTRIBUTE', `${read.file}: a StructureSetROISequence item has no ROINumber; ROIs cannot be identified. Re-export the structure set.`, {
        file: read.file,
        attribute: 'ROINumber',
      });
    }
    const occurrence = seen.get(number) ?? 0;
    seen.set(number, occurrence + 1);
    const contourItem = contoursByRoi.get(number)?.[occurrence];
    const sharing = itemsByNumber.get(number) ?? [];
    const sharedNumber = sharing.length > 1 ? duplicateNumberWarning(read.file, number, sharing.map((k) => roiItems[k])) : undefined;
    const contourItems = contourItem ? sequence(contourItem, 'ContourSequence') : [];
    const { planes, defect } = readContours(contourItems, number, ctx);
    const fileColor = readColor(contourItem, ctx);
    const roi: Roi = {
      number,
      name: optionalString(item, 'ROIName') ?? `ROI ${number}`,
      interpretedType: typeByRoi.get(number),
      color: fileColor ?? paletteColor(number),
      colorFromFile: fileColor !== undefined,
      frameOfReferenceUid: optionalString(item, 'ReferencedFrameOfReferenceUID'),
      generationAlgorithm: optionalString(item, 'ROIGenerationAlgorithm'),
      planes: Object.freeze(planes),
      empty: !contourItem || contourItem.ContourSequence === undefined,
      ...(defect ? { defect } : {}),
      ...(sharedNumber ? { warnings: Object.freeze([sharedNumber]) } : {}),
    };
    rois.push(Object.freeze(roi));
    if (sharedNumber && occurrence === 0) read.warnings.push(sharedNumber);
    read.warnings.push(...roiGeometryWarnings(roi, read.file));
  }
  const referencedFrame = sequence(ds, 'ReferencedFrameOfReferenceSequence')[0];
  const study = referencedFrame ? sequence(referencedFrame, 'RTReferencedStudySequence')[0] : undefined;
  const series = study ? sequence(study, 'RTReferencedSeriesSequence')[0] : undefined;
  return Object.freeze({
    sopInstanceUid: optionalString(ds, 'SOPInstanceUID') ?? '',
    label: optionalString(ds, 'StructureSetLabel') ?? '',
    name: optionalString(ds, 'StructureSetName'),
    date: optionalString(ds, 'StructureSetDate'),
    time: optionalString(ds, 'StructureSetTime'),
    frameOfReferenceUid: optionalString(ds, 'FrameOfReferenceUID') ?? (referencedFrame ? optionalString(referencedFrame, 'FrameOfReferenceUID') : undefined),
    referencedSeriesUid: series ? optionalString(series, 'SeriesInstanceUID') : undefined,
    rois: Object.freeze(rois),
    source: read.file,
  });
}
