// SPDX-License-Identifier: BSD-3-Clause
// The DVH plot: the library's plotDvhs SVG (volume in % of each structure; cumulative, or
// differential in %/Gy), made interactive. Hovering shows the nearest curve point's dose (Gy) and
// plotted value (% or %/Gy) in a tooltip, with a marker and guide lines; an HTML legend below
// lists the curves shown.
import { plotDvhs } from '../dist/src/index.js';
import { el, fixed, onWhite, rgb } from './util.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** SVG size when the panel's width is unknown; otherwise the SVG is drawn at the panel's width, so its text is 12 px on screen. */
const DEFAULT_WIDTH = 640;
const ASPECT = 0.62;
const MARGIN = Object.freeze({ top: 16, right: 24, bottom: 48, left: 64 });
/** Pointer positions this far (SVG px) from every curve point show no tooltip. */
const HOVER_RADIUS = 28;

/** A round axis maximum at or above `max` (1, 2, 2.5 or 5 × 10^k steps), so toggling curves keeps the axis. */
export function niceCeil(max) {
  if (!(max > 0)) return 1;
  const magnitude = Math.pow(10, Math.floor(Math.log10(max)));
  for (const step of [0.1, 0.2, 0.25, 0.5, 1]) {
    const candidate = Math.ceil(max / (step * magnitude) - 1e-9) * step * magnitude;
    if (candidate / max <= 1.25) return Number(candidate.toPrecision(12));
  }
  return 10 * magnitude;
}

/**
 * The points plotDvhs draws for one DVH in relative volume, as {dose, volume} arrays: the
 * cumulative curve (% at each bin edge, then 0 past the last non-empty bin), or the differential
 * step curve (each bin's % divided by its width in Gy, from 0 at the first non-empty bin to 0 at
 * the last one's upper edge; equal neighbouring heights share one step).
 */
export function curvePoints(dvh, differential) {
  const c = differential ? dvh.differential.relativeVolume : dvh.cumulative.relativeVolume;
  const bins = c.bins;
  const counts = c.counts;
  let last = counts.length - 1;
  while (last >= 0 && counts[last] === 0) last -= 1;
  const dose = [];
  const volume = [];
  const push = (d, v) => {
    dose.push(d);
    volume.push(v);
  };
  if (!differential) {
    for (let k = 0; k <= last; k += 1) push(bins[k], counts[k]);
    push(bins[last + 1], 0);
  } else {
    let first = 0;
    while (first < counts.length && counts[first] === 0) first += 1;
    if (last < first) push(bins[0], 0);
    else {
      push(bins[first], 0);
      let previous = 0;
      for (let k = first; k <= last; k += 1) {
        const height = counts[k] / (bins[k + 1] - bins[k]);
        if (height === previous) continue;
        if (k > first) push(bins[k], previous);
        push(bins[k], height);
        previous = height;
      }
      push(bins[last + 1], previous);
      push(bins[last + 1], 0);
    }
  }
  return { dose: Float64Array.from(dose), volume: Float64Array.from(volume) };
}

function svgElement(tag, attributes) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

export class DvhView {
  /** @param {{plot: HTMLElement, tooltip: HTMLElement, legend: HTMLElement}} elements */
  constructor({ plot, tooltip, legend }) {
    this.plot = plot;
    this.tooltip = tooltip;
    this.legend = legend;
    this.curves = [];
    this.svg = null;
    this.doseMax = 1;
    this.volumeMax = 100;
    this.differential = false;
    this.units = '%';
    this.pending = null;
    this.width = DEFAULT_WIDTH;
    this.height = Math.round(DEFAULT_WIDTH * ASPECT);
    this.last = null;
    // Redraw at the new size when the panel's width changes (text stays 12 px).
    new ResizeObserver(() => {
      const width = this.#panelWidth();
      if (this.last && Math.abs(width - this.width) > 8) this.render(...this.last);
    }).observe(plot);
    plot.addEventListener('pointermove', (event) => {
      this.pending = event;
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.#hover(this.pending);
      });
    });
    plot.addEventListener('pointerleave', () => this.#hide());
  }

  /**
   * Draws the DVHs of `rows` ({number, name, color, dvh}) on a dose axis up to `doseMaxGy`
   * (fixed by the caller so that it does not move as curves are toggled). With `differential`
   * the curves are differential (volume per Gy) and the volume axis fits the curves shown.
   */
  render(rows, doseMaxGy, { differential = false } = {}) {
    this.last = [rows, doseMaxGy, { differential }];
    this.width = this.#panelWidth();
    this.height = Math.round(this.width * ASPECT);
    this.doseMax = niceCeil(doseMaxGy);
    this.differential = differential;
    const dvhs = rows.map((r) => r.dvh.with({ name: r.name, color: onWhite(r.color) }));
    const points = dvhs.map((dvh) => curvePoints(dvh, differential));
    this.volumeMax = differential ? niceCeil(points.reduce((m, p) => p.volume.reduce((a, v) => Math.max(a, v), m), 0)) : 100;
    this.units = differential ? '%/Gy' : '%';
    this.plot.innerHTML = plotDvhs(dvhs, { width: this.width, height: this.height, margin: MARGIN, relativeVolume: true, volumeMax: this.volumeMax, doseMax: this.doseMax, legend: false, differential });
    this.svg = this.plot.querySelector('svg');
    this.svg.removeAttribute('width');
    this.svg.removeAttribute('height');
    this.svg.setAttribute('role', 'img');
    this.svg.setAttribute('aria-label', rows.length ? `${differential ? 'Differential' : 'Cumulative'} DVHs of ${rows.map((r) => r.name).join(', ')}` : 'No structure shown');
    this.svg.dataset.differential = String(differential);
    this.#addGrid();
    this.marker = svgElement('g', { class: 'hover-marker', visibility: 'hidden' });
    this.guideX = svgElement('line', { class: 'guide', 'stroke-dasharray': '3 3' });
    this.guideY = svgElement('line', { class: 'guide', 'stroke-dasharray': '3 3' });
    this.dot = svgElement('circle', { r: 4.5, fill: 'white', 'stroke-width': 2 });
    this.marker.append(this.guideX, this.guideY, this.dot);
    this.svg.append(this.marker);
    this.curves = rows.map((r, i) => {
      const { dose, volume } = points[i];
      const n = dose.length;
      const x = new Float32Array(n);
      const y = new Float32Array(n);
      for (let k = 0; k < n; k += 1) {
        x[k] = this.#x(dose[k]);
        y[k] = this.#y(volume[k]);
      }
      return { number: r.number, name: r.name, color: rgb(onWhite(r.color)), dose, volume, x, y };
    });
    this.legend.replaceChildren(...rows.map((r) => el('span', { class: 'legend-item', dataset: { roi: r.number } }, el('span', { class: 'legend-line', style: { background: rgb(onWhite(r.color)) } }), r.name)));
    this.#hide();
  }

  #panelWidth() {
    const width = Math.round(this.plot.clientWidth);
    return width > 0 ? Math.max(360, width) : DEFAULT_WIDTH;
  }

  #x(doseGy) {
    return MARGIN.left + (doseGy / this.doseMax) * (this.width - MARGIN.left - MARGIN.right);
  }

  /** The y of a plotted value: % (cumulative) or %/Gy (differential). */
  #y(value) {
    return this.height - MARGIN.bottom - (value / this.volumeMax) * (this.height - MARGIN.top - MARGIN.bottom);
  }

  /** Light grid lines under the curves, at the plot's tick positions. */
  #addGrid() {
    const grid = svgElement('g', { class: 'grid', stroke: '#e3e7ee', 'stroke-width': 1 });
    for (const tick of this.svg.querySelectorAll('.axes line.tick')) {
      const vertical = tick.getAttribute('x1') === tick.getAttribute('x2');
      if (vertical) grid.append(svgElement('line', { x1: tick.getAttribute('x1'), x2: tick.getAttribute('x1'), y1: MARGIN.top, y2: this.height - MARGIN.bottom }));
      else grid.append(svgElement('line', { x1: MARGIN.left, x2: this.width - MARGIN.right, y1: tick.getAttribute('y1'), y2: tick.getAttribute('y1') }));
    }
    this.svg.querySelector('.axes').before(grid);
  }

  /** The curve point nearest the pointer, in SVG px, or null when none is within HOVER_RADIUS. */
  nearest(svgX, svgY) {
    let best = null;
    let bestDistance = HOVER_RADIUS * HOVER_RADIUS;
    for (const curve of this.curves) {
      for (let k = 0; k < curve.x.length; k += 1) {
        const dx = curve.x[k] - svgX;
        const dy = curve.y[k] - svgY;
        const d = dx * dx + dy * dy;
        if (d < bestDistance) {
          bestDistance = d;
          best = { curve, k };
        }
      }
    }
    return best;
  }

  #hover(event) {
    if (!this.svg || !event) return;
    const matrix = this.svg.getScreenCTM();
    if (!matrix) return;
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    const hit = this.nearest(point.x, point.y);
    if (!hit) return this.#hide();
    const { curve, k } = hit;
    const x = curve.x[k];
    const y = curve.y[k];
    this.dot.setAttribute('cx', x);
    this.dot.setAttribute('cy', y);
    this.dot.setAttribute('stroke', curve.color);
    Object.entries({ x1: MARGIN.left, y1: y, x2: x, y2: y }).forEach(([a, v]) => this.guideX.setAttribute(a, v));
    Object.entries({ x1: x, y1: this.height - MARGIN.bottom, x2: x, y2: y }).forEach(([a, v]) => this.guideY.setAttribute(a, v));
    this.marker.setAttribute('visibility', 'visible');
    this.tooltip.replaceChildren(
      el('div', { class: 'tooltip-title' }, el('span', { class: 'swatch', style: { background: curve.color } }), curve.name),
      el('div', {}, el('span', { class: 'tooltip-key' }, 'Dose'), ` ${fixed(curve.dose[k], 2)} Gy`),
      el('div', {}, el('span', { class: 'tooltip-key' }, 'Volume'), ` ${fixed(curve.volume[k], this.differential && curve.volume[k] < 10 ? 2 : 1)} ${this.units}`),
    );
    this.tooltip.dataset.roi = String(curve.number);
    this.tooltip.dataset.doseGy = String(curve.dose[k]);
    // The plotted value and its units; volumePercent only for the cumulative curve.
    this.tooltip.dataset.value = String(curve.volume[k]);
    this.tooltip.dataset.units = this.units;
    if (this.differential) delete this.tooltip.dataset.volumePercent;
    else this.tooltip.dataset.volumePercent = String(curve.volume[k]);
    // Place the tooltip beside the point, inside the plot box.
    const box = this.plot.getBoundingClientRect();
    const screen = new DOMPoint(x, y).matrixTransform(matrix);
    this.tooltip.hidden = false;
    const left = Math.min(screen.x - box.left + 14, box.width - this.tooltip.offsetWidth - 4);
    const top = Math.max(4, screen.y - box.top - this.tooltip.offsetHeight - 10);
    this.tooltip.style.left = `${Math.max(4, left)}px`;
    this.tooltip.style.top = `${top}px`;
  }

  #hide() {
    this.tooltip.hidden = true;
    if (this.marker) this.marker.setAttribute('visibility', 'hidden');
  }
}
