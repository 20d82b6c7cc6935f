// SPDX-License-Identifier: BSD-3-Clause
// The structures list: colour swatch (the ROI's display colour), name, contour volume (cm³) and a
// visibility toggle that the DVH plot, the slice view and the statistics table follow. Derived
// structures (structure algebra, `Name = expression`) follow the ROIs with their expression, the
// volume of their DVH and a remove button.
import { DVH_PALETTE } from '../dist/src/index.js';
import { el, fixed, rgb } from './util.js';

/** Colours of derived structures, in the order they are added: the library's plot palette (matplotlib's tab10). */
export const DERIVED_PALETTE = DVH_PALETTE;

/**
 * A derived structure's row: {number (negative: -1, -2, ... as added), name, expression, color,
 * volumeCm3 (its DVH's volume, once calculated), visible, dvhError, derived: true}.
 */
export function derivedRow(number, name, expression) {
  const color = DERIVED_PALETTE[(-number - 1) % DERIVED_PALETTE.length];
  return { number, name, expression, color, planes: [], volumeCm3: null, visible: true, dvhError: null, derived: true };
}

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

/**
 * Renders the list into `list` (a <ul>); `onToggle(roiNumber, visible)` on every change,
 * `onRemove(roiNumber)` when a derived structure's remove button is pressed.
 */
export function renderStructures(list, rows, onToggle, onRemove) {
  list.replaceChildren(
    ...rows.map((row) => {
      const checkbox = el('input', { type: 'checkbox', checked: row.visible, dataset: { roi: row.number }, 'aria-label': `Show ${row.name}` });
      checkbox.addEventListener('change', () => onToggle(row.number, checkbox.checked));
      const empty = row.derived ? (row.dvhError ? '' : '…') : row.planes.length ? '1 plane' : 'empty';
      const volume = row.volumeCm3 === null ? el('span', { class: 'volume muted' }, empty) : el('span', { class: 'volume', title: row.derived ? 'volume of its DVH' : 'contour volume' }, `${fixed(row.volumeCm3, 2)} cm³`);
      const badge = row.dvhError ? el('span', { class: 'badge warn', title: `${row.dvhError.code}: ${row.dvhError.message}` }, 'no DVH') : null;
      const name = el('span', { class: 'name', title: row.derived ? `${row.name} = ${row.expression}` : row.type ? `${row.name} (${row.type})` : row.name }, row.name);
      // A derived structure's expression: a second line under its name.
      const expression = row.derived ? el('code', { class: 'expression', title: row.expression }, row.expression) : null;
      // The remove button sits under the volume (a button inside the label does not toggle the checkbox).
      const remove = row.derived ? el('button', { type: 'button', class: 'remove', title: `Remove ${row.name}`, 'aria-label': `Remove ${row.name}` }, '×') : null;
      remove?.addEventListener('click', () => onRemove(row.number));
      const label = el('label', {}, checkbox, el('span', { class: 'swatch', style: { background: rgb(row.color) } }), name, badge, volume, expression, remove);
      return el('li', { class: `structure${row.derived ? ' derived' : ''}${row.visible ? '' : ' hidden-roi'}`, dataset: { roi: row.number } }, label);
    }),
  );
}
