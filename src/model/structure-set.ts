// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError, type DosekitErrorCode } from '../errors.js';
import { requireString } from '../validate.js';
import type { DosekitWarning } from '../warnings.js';
import { requireRoi, requireStructureSet } from './model-arguments.js';

/** ContourGeometricType values from the DICOM standard. */
export type ContourGeometricType = 'CLOSED_PLANAR' | 'OPEN_PLANAR' | 'OPEN_NONPLANAR' | 'POINT' | (string & {});

/** One contour: an ordered ring of points in patient coordinates (mm). */
export interface Contour {
  readonly geometricType: ContourGeometricType;
  /** x, y, z triples in mm, patient coordinate system. */
  readonly pointsMm: Float64Array;
  /** Number of points (pointsMm.length / 3). */
  readonly pointCount: number;
}

/** All contours of one ROI lying on one axial plane. */
export interface ContourPlane {
  /**
   * The plane position in mm: the first point's z of the first contour, rounded to 0.01 mm
   * (half to even), which is also how contours are grouped into planes (as dicompyler-core does).
   */
  readonly zMm: number;
  /** dicompyler-core's string key for this plane (e.g. "-122.440"), kept for parity output. */
  readonly key: string;
  readonly contours: readonly Contour[];
}

/** An RGB colour, 0-255 per channel. */
export type RgbColor = readonly [number, number, number];

/** A region of interest of an RT Structure Set. */
export interface Roi {
  /** ROINumber. */
  readonly number: number;
  readonly name: string;
  /** RTROIInterpretedType (e.g. PTV, ORGAN, EXTERNAL), when the file has an observation for it. */
  readonly interpretedType?: string;
  /** ROIDisplayColor, or a deterministic palette colour when the file has none (`colorFromFile` false). */
  readonly color: RgbColor;
  readonly colorFromFile: boolean;
  readonly frameOfReferenceUid?: string;
  readonly generationAlgorithm?: string;
  /** Planes in ascending z. Empty when the ROI has no contours. */
  readonly planes: readonly ContourPlane[];
  /** True when the ROI has no ContourSequence at all. */
  readonly empty: boolean;
  /** Set when some of the ROI's contours were unreadable; calculations refuse the ROI with this code (the others are unaffected). */
  readonly defect?: { readonly code: DosekitErrorCode; readonly message: string };
  /** The reader's warnings about this ROI (e.g. its ROI Number shared with another ROI); carried onto its DVHs. */
  readonly warnings?: readonly DosekitWarning[];
}

/** A parsed RT Structure Set: identification plus ROIs with their contours. */
export interface StructureSet {
  readonly sopInstanceUid: string;
  readonly label: string;
  readonly name?: string;
  readonly date?: string;
  readonly time?: string;
  readonly frameOfReferenceUid?: string;
  /** SeriesInstanceUID of the image series the contours were drawn on, when referenced. */
  readonly referencedSeriesUid?: string;
  readonly rois: readonly Roi[];
  /** The file (path or label) it was read from. */
  readonly source: string;
}

/** Total number of contours and points of an ROI. */
export function countContours(roi: Roi): { planes: number; contours: number; points: number } {
  requireRoi(roi, 'roi');
  let contours = 0;
  let points = 0;
  for (const plane of roi.planes) {
    contours += plane.contours.length;
    for (const contour of plane.contours) points += contour.pointCount;
  }
  return { planes: roi.planes.length, contours, points };
}

/**
 * Finds an ROI by number, or by name (exact first, then case-insensitive). When two ROIs share
 * the number (a damaged export; both carry a W_DUPLICATE_ROI_NUMBER warning), the first in file
 * order is found; select the other by name.
 * @throws DosekitError E_ROI_NOT_FOUND listing the ROIs that exist.
 */
export function findRoi(structureSet: StructureSet, roi: number | string): Roi {
  requireStructureSet(structureSet, 'structureSet');
  if (typeof roi !== 'number' || !Number.isFinite(roi)) requireString(roi, 'roi (an ROI number or name)', true);
  const byNumber = typeof roi === 'number' || /^\d+$/.test(roi) ? structureSet.rois.find((r) => r.number === Number(roi)) : undefined;
  const found =
    byNumber ??
    structureSet.rois.find((r) => r.name === roi) ??
    structureSet.rois.find((r) => typeof roi === 'string' && r.name.toLowerCase() === roi.toLowerCase());
  if (!found) {
    const list = structureSet.rois.map((r) => `${r.number} "${r.name}"`).join(', ');
    throw new DosekitError('E_ROI_NOT_FOUND', `${structureSet.source}: no ROI ${JSON.stringify(roi)} in the structure set; it has ${list || 'no ROIs'}.`, {
      file: structureSet.source,
      attribute: 'StructureSetROISequence',
      roi,
      available: structureSet.rois.map((r) => ({ number: r.number, name: r.name })),
    });
  }
  return found;
}

const PALETTE: readonly RgbColor[] = [
  [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180],
  [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 190], [0, 128, 128], [170, 110, 40],
];

/** A deterministic colour for an ROI without ROIDisplayColor (dicompyler-core picks a random one). */
export function paletteColor(roiNumber: number): RgbColor {
  const index = ((Math.trunc(roiNumber) % PALETTE.length) + PALETTE.length) % PALETTE.length;
  return PALETTE[index];
}

/**
 * The largest contour coordinate accepted, mm (10 m along x, y or z from the patient origin).
 * No patient reaches that far; such a vertex is a damaged export (a unit error, a stray point),
 * and left in it would make the structure's volume and DVH meaningless.
 */
export const MAX_CONTOUR_COORDINATE_MM = 10_000;

/**
 * Index of the first point of `pointsMm` (x, y, z triples) with a coordinate beyond
 * +-{@link MAX_CONTOUR_COORDINATE_MM} (or not a finite number), or -1.
 */
export function farVertexIndex(pointsMm: ArrayLike<number>): number {
  for (let i = 0; i < pointsMm.length; i += 1) {
    if (!(Math.abs(pointsMm[i]) <= MAX_CONTOUR_COORDINATE_MM)) return Math.floor(i / 3);
  }
  return -1;
}

/**
 * The message of a contour vertex beyond {@link MAX_CONTOUR_COORDINATE_MM}: `where` names the
 * file, ROI, contour and vertex (1-based), e.g. `rtss.dcm: ROI 3, contour 12, vertex 7`.
 */
export function farVertexMessage(where: string, pointsMm: ArrayLike<number>, vertex: number): string {
  const xyz = [pointsMm[vertex * 3], pointsMm[vertex * 3 + 1], pointsMm[vertex * 3 + 2]];
  if (!xyz.every(Number.isFinite)) return `${where}: ContourData has the point (${xyz.join(', ')}) mm, which is not a finite x\\y\\z triple: the contour is damaged.`;
  return `${where}: ContourData has the point (${xyz.join(', ')}) mm, more than ${MAX_CONTOUR_COORDINATE_MM} mm (10 m) from the origin along an axis. No patient is that large: the contour is damaged (a stray point, or coordinates in the wrong unit).`;
}

const farVertexDefects = new WeakMap<Roi, Roi['defect'] | null>();

/**
 * Why an ROI cannot be calculated: its `defect` from the reader, or, for an ROI built in code,
 * a contour vertex beyond {@link MAX_CONTOUR_COORDINATE_MM} (E_MALFORMED_DICOM naming the ROI,
 * the contour in plane order and the vertex). Undefined when it can be.
 */
export function roiDefect(roi: Roi, source: string): Roi['defect'] | undefined {
  if (roi.defect) return roi.defect;
  let found = farVertexDefects.get(roi);
  if (found === undefined) {
    found = null;
    let index = 0;
    for (const plane of roi.planes) {
      for (const contour of plane.contours) {
        index += 1;
        const vertex = farVertexIndex(contour.pointsMm);
        if (vertex < 0) continue;
        found = { code: 'E_MALFORMED_DICOM', message: farVertexMessage(`${source}: ROI ${roi.number}, contour ${index}, vertex ${vertex + 1}`, contour.pointsMm, vertex) };
        break;
      }
      if (found) break;
    }
    farVertexDefects.set(roi, found);
  }
  return found ?? undefined;
}
