// SPDX-License-Identifier: BSD-3-Clause
// The structures list: colour swatch (the ROI's display colour), name, contour volume (cm³) and a
// visibility toggle that the DVH plot, the slice view and the statistics table follow.
import { el, fixed, rgb } from './util.js';

/**
 * The page's view of each ROI of a structure set: {number, name, color, volumeCm3, visible,
 * dvhError}. Volumes come from the contour stack (DicomParser.calculateStructureVolume), so
 * they are known before any dose is.
 */
export function structureRows(parser) {
  return parser.toStructureSet().rois.map((roi) => {
    let volumeCm3 = null;
    try {
      volumeCm3 = roi.planes.length > 1 ? parser.calculateStructureVolume(roi.number) : null;
    } catch {
      volumeCm3 = null;
    }
    return { number: roi.number, name: roi.name, type: roi.interpretedType, color: roi.color, planes: roi.planes, volumeCm3, visible: true, dvhError: null };
  });
}

/** Renders the list into `list` (a <ul>); `onToggle(roiNumber, visible)` on every change. */
export function renderStructures(list, rows, onToggle) {
  list.replaceChildren(
    ...rows.map((row) => {
      const checkbox = el('input', { type: 'checkbox', checked: row.visible, dataset: { roi: row.number }, 'aria-label': `Show ${row.name}` });
      checkbox.addEventListener('change', () => onToggle(row.number, checkbox.checked));
      const volume = row.volumeCm3 === null ? el('span', { class: 'volume muted' }, row.planes.length ? '1 plane' : 'empty') : el('span', { class: 'volume' }, `${fixed(row.volumeCm3, 2)} cm³`);
      const badge = row.dvhError ? el('span', { class: 'badge warn', title: `${row.dvhError.code}: ${row.dvhError.message}` }, 'no DVH') : null;
      return el(
        'li',
        { class: `structure${row.visible ? '' : ' hidden-roi'}`, dataset: { roi: row.number } },
        el('label', {}, checkbox, el('span', { class: 'swatch', style: { background: rgb(row.color) } }), el('span', { class: 'name', title: row.type ? `${row.name} (${row.type})` : row.name }, row.name), badge, volume),
      );
    }),
  );
}
