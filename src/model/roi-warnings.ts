// SPDX-License-Identifier: BSD-3-Clause
// Warnings about how an ROI's contours are read: what the file says differs from what a
// calculation can use as written, and the choice made instead.
import type { DosekitWarning } from '../warnings.js';
import { planeContours } from './contour-duplicates.js';
import type { Roi } from './structure-set.js';

/** Warning code: contours of type OPEN_PLANAR, OPEN_NONPLANAR or an unknown type, read as closed. */
export const W_CONTOUR_READ_AS_CLOSED = 'W_CONTOUR_READ_AS_CLOSED';
/** Warning code: contours that repeat another contour of their plane. */
export const W_DUPLICATE_CONTOUR = 'W_DUPLICATE_CONTOUR';
/** Warning code: two ROIs of a structure set share one ROI Number. */
export const W_DUPLICATE_ROI_NUMBER = 'W_DUPLICATE_ROI_NUMBER';

const cache = new WeakMap<Roi, readonly DosekitWarning[]>();

function zList(zMm: readonly number[]): string {
  const shown = zMm.slice(0, 5).map((z) => `${z}`).join(', ');
  return zMm.length > 5 ? `${shown} and ${zMm.length - 5} more` : shown;
}

/**
 * What is read differently from how an ROI's contours are written: contours of a type other than
 * CLOSED_PLANAR and POINT read as closed polygons (as dicompyler-core does), and contours that
 * repeat another contour of their plane (see `planeContours`), which the precise algorithm and
 * the structure volume count once while the dicompyler algorithm XORs them away as
 * dicompyler-core does. `source` names the file in the messages.
 */
export function roiGeometryWarnings(roi: Roi, source: string): readonly DosekitWarning[] {
  let found = cache.get(roi);
  if (found) return found;
  const out: DosekitWarning[] = [];
  const who = `${source}: ROI ${roi.number} "${roi.name}"`;
  const openTypes = new Set<string>();
  let open = 0;
  let repeats = 0;
  const repeatPlanes: number[] = [];
  for (const plane of roi.planes) {
    const contours = planeContours(plane);
    for (const contour of contours.all) {
      if (contour.geometricType === 'CLOSED_PLANAR') continue;
      open += 1;
      openTypes.add(contour.geometricType || '(empty)');
    }
    if (contours.duplicates > 0) {
      repeats += contours.duplicates;
      repeatPlanes.push(plane.zMm);
    }
  }
  if (open > 0) {
    out.push({
      code: W_CONTOUR_READ_AS_CLOSED,
      file: source,
      message: `${who}: ${open} contour${open === 1 ? ' has' : 's have'} ContourGeometricType ${[...openTypes].join(', ')}, not CLOSED_PLANAR; ${open === 1 ? 'it is' : 'they are'} read as closed polygons (the last point joined to the first), as dicompyler-core does.`,
    });
  }
  if (repeats > 0) {
    out.push({
      code: W_DUPLICATE_CONTOUR,
      file: source,
      message:
        `${who}: ${repeats} contour${repeats === 1 ? ' repeats' : 's repeat'} another contour of the same plane (the same points, perhaps from another start point or reversed) on ${repeatPlanes.length} plane${repeatPlanes.length === 1 ? '' : 's'} (z = ${zList(repeatPlanes)} mm). ` +
        'The precise algorithm and the structure volume count each repeated contour once; the dicompyler algorithm XORs every contour as dicompyler-core does, so a contour and its repeat cancel there.',
    });
  }
  found = Object.freeze(out);
  cache.set(roi, found);
  return found;
}

/** Every warning about an ROI: the reader's (e.g. a shared ROI Number) and the geometry's. */
export function roiWarnings(roi: Roi, source: string): DosekitWarning[] {
  return [...(roi.warnings ?? []), ...roiGeometryWarnings(roi, source)];
}
