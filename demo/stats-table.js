// SPDX-License-Identifier: BSD-3-Clause
// The statistics table: one row per visible structure with a DVH; volume, min, mean and max plus
// the statistics the user names ("D95, D2cc, V10Gy": DVH.statistic's grammar), and its CSV.
import { parseStatisticName } from '../dist/src/index.js';
import { el, fixed, rgb } from './util.js';

/** Splits the statistics field ("D95, D2cc V20Gy") into names. */
export function parseStatisticList(text) {
  return [...new Set(String(text).split(/[\s,;]+/).filter(Boolean))];
}

/**
 * The table's content: {columns: [{key, label, units}], rows: [{roi, name, color, cells: {key: {text, value}}}],
 * errors: [{name, code, message}]} for the DVH rows {number, name, color, dvh} and statistic names.
 * A name the grammar refuses (E_BAD_STATISTIC) or one that needs what a DVH lacks (E_NO_RX_DOSE)
 * becomes an error, not a column.
 */
export function buildTable(rows, statisticNames) {
  const columns = [
    { key: 'volume', label: 'Volume', units: 'cm³' },
    { key: 'min', label: 'Min', units: 'Gy' },
    { key: 'mean', label: 'Mean', units: 'Gy' },
    { key: 'max', label: 'Max', units: 'Gy' },
  ];
  const errors = [];
  const statValues = new Map();
  for (const name of statisticNames) {
    try {
      parseStatisticName(name);
      const values = rows.map((r) => r.dvh.statistic(name));
      statValues.set(name, values);
      const units = values[0]?.units ?? '';
      columns.push({ key: `stat:${name}`, label: name, units: units === 'cm3' ? 'cm³' : units });
    } catch (error) {
      errors.push({ name, code: error.code ?? 'E_UNEXPECTED', message: String(error.message) });
    }
  }
  const tableRows = rows.map((r, i) => {
    const cells = {
      volume: r.dvh.volume,
      min: r.dvh.min,
      mean: r.dvh.mean,
      max: r.dvh.max,
    };
    for (const [name, values] of statValues) cells[`stat:${name}`] = values[i].value;
    return { roi: r.number, name: r.name, color: r.color, cells: Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, { value: v, text: fixed(v) }])) };
  });
  return { columns, rows: tableRows, errors };
}

/** Renders `table` (from buildTable) into a <table>. */
export function renderTable(element, table) {
  const head = el('thead', {}, el('tr', {}, el('th', { scope: 'col', class: 'roi-col' }, 'Structure'), ...table.columns.map((c) => el('th', { scope: 'col', class: 'num', dataset: { col: c.key } }, c.label, el('span', { class: 'units' }, ` ${c.units}`)))));
  const body = el(
    'tbody',
    {},
    ...table.rows.map((row) =>
      el(
        'tr',
        { dataset: { roi: row.roi } },
        el('th', { scope: 'row', class: 'roi-col' }, el('span', { class: 'swatch', style: { background: rgb(row.color) } }), row.name),
        ...table.columns.map((c) => el('td', { class: 'num', dataset: { col: c.key, value: row.cells[c.key].value } }, row.cells[c.key].text)),
      ),
    ),
  );
  element.replaceChildren(head, body);
  if (!table.rows.length) element.append(el('tbody', {}, el('tr', {}, el('td', { class: 'empty', colspan: table.columns.length + 1 }, 'No structure with a DVH is shown.'))));
}

function csvField(text) {
  const s = String(text);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The table as CSV: a header (with units) and one line per row, the numbers as shown. */
export function tableToCsv(table) {
  const ascii = (units) => (units === 'cm³' ? 'cm3' : units);
  const header = ['ROI number', 'Structure', ...table.columns.map((c) => `${c.label} (${ascii(c.units)})`)];
  const lines = [header.map(csvField).join(',')];
  for (const row of table.rows) lines.push([row.roi, row.name, ...table.columns.map((c) => row.cells[c.key].text)].map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Saves `text` as a file through a Blob and a temporary link. */
export function downloadText(text, fileName, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
