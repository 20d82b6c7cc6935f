// SPDX-License-Identifier: BSD-3-Clause
/**
 * `plotDvhs`: cumulative (or differential) DVH curves as a self-contained SVG string (pure string
 * building; no DOM, no canvas, works in Node, Deno and browsers alike).
 */
import { DosekitError } from '../errors.js';
import type { RgbColor } from '../model/structure-set.js';
import type { DVH } from './dvh.js';
import { requireDvh } from './dvh-arguments.js';
import { optional, requireArrayOf, requireBoolean, requireFiniteNumber, requireOptions, requireString } from '../validate.js';

/** Layout margins around the plot area, in SVG user units (px). */
export interface PlotMargin {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

/** Options of {@link plotDvhs}. */
export interface PlotOptions {
  /** SVG width in px; default 640. */
  readonly width?: number;
  /** SVG height in px; default 420. */
  readonly height?: number;
  /** Title drawn above the plot (escaped for XML). */
  readonly title?: string;
  /** Plot dose as % of each DVH's rxDose (or `rxDose` below); default false. */
  readonly relativeDose?: boolean;
  /** Plot volume as % of each structure's volume; default false. */
  readonly relativeVolume?: boolean;
  /** Prescription dose in Gy for DVHs that carry none (only used with `relativeDose`). */
  readonly rxDose?: number;
  /** Dose-axis maximum in the plotted dose units; default: the data maximum rounded up to a tick. */
  readonly doseMax?: number;
  /** Volume-axis maximum in the plotted volume units; default: 100 for cumulative %, else the data maximum rounded up to a tick. */
  readonly volumeMax?: number;
  /** Margins in px; default {@link DEFAULT_PLOT_MARGIN}. */
  readonly margin?: Partial<PlotMargin>;
  /** Draw the legend; default true. */
  readonly legend?: boolean;
  /**
   * Plot the differential DVH instead of the cumulative one: each bin's volume divided by its
   * width (volume per dose unit, e.g. cm³/Gy), as a step curve, so that curves with different bin
   * widths are comparable; default false.
   */
  readonly differential?: boolean;
}

/** Default margins (px): room for tick labels and axis titles on the left and bottom. */
export const DEFAULT_PLOT_MARGIN: PlotMargin = Object.freeze({ top: 40, right: 20, bottom: 50, left: 70 });

/** Fallback colours (matplotlib's tab10) for DVHs without an ROI colour. */
export const DVH_PALETTE: readonly RgbColor[] = Object.freeze([
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
] as const);

/** Escapes text for XML character data and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A coordinate or tick value as short text (2 decimals for coordinates, float noise removed for ticks). */
function num(value: number, decimals = 2): string {
  return String(Number(value.toFixed(decimals)));
}

/** A "nice" tick step (1, 2 or 5 × 10^k) giving about `target` intervals up to `max`. */
function niceStep(max: number, target = 5): number {
  const raw = max / target;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const residual = raw / magnitude;
  return (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude;
}

function axisRange(dataMax: number, fixed: number | undefined): { max: number; ticks: number[] } {
  const max = fixed !== undefined && fixed > 0 ? fixed : dataMax > 0 ? Math.ceil(dataMax / niceStep(dataMax)) * niceStep(dataMax) : 1;
  const step = niceStep(max);
  const ticks: number[] = [];
  for (let k = 0; k * step <= max * (1 + 1e-9); k++) ticks.push(k * step);
  return { max, ticks };
}

const VOLUME_LABEL: Record<string, string> = { cm3: 'cm³', '%': '%' };

/** Cumulative curve points: (bins[k], counts[k]) up to the last non-zero count, then (next edge, 0). */
function cumulativePoints(bins: Float64Array, counts: Float64Array): [number, number][] {
  let last = counts.length - 1;
  while (last >= 0 && counts[last] === 0) last--;
  const points: [number, number][] = [];
  for (let k = 0; k <= last; k++) points.push([bins[k]!, counts[k]!]);
  points.push([bins[last + 1]!, 0]);
  return points;
}

/**
 * Differential step-curve points: from (first non-empty bin's lower edge, 0) up to
 * counts[k] / (bins[k+1] − bins[k]) over each bin, down to 0 at the last non-empty bin's upper
 * edge. Neighbouring bins of equal height share one horizontal segment.
 */
function differentialPoints(bins: Float64Array, counts: Float64Array): [number, number][] {
  let first = 0;
  while (first < counts.length && counts[first] === 0) first++;
  let last = counts.length - 1;
  while (last >= 0 && counts[last] === 0) last--;
  if (last < first) return [[bins[0]!, 0]];
  const points: [number, number][] = [[bins[first]!, 0]];
  let previous = 0;
  for (let k = first; k <= last; k++) {
    const height = counts[k]! / (bins[k + 1]! - bins[k]!);
    if (height === previous) continue;
    if (k > first) points.push([bins[k]!, previous]);
    points.push([bins[k]!, height]);
    previous = height;
  }
  points.push([bins[last + 1]!, previous], [bins[last + 1]!, 0]);
  return points;
}

/** The largest plot width or height, px (the SVG's size; its text grows with the number of DVH points, not with this). */
export const MAX_PLOT_SIZE_PX = 16384;

const PLOT_OPTION_NAMES = ['width', 'height', 'title', 'relativeDose', 'relativeVolume', 'rxDose', 'doseMax', 'volumeMax', 'margin', 'legend', 'differential'];

function checkPlotOptions(options: PlotOptions): void {
  const o = requireOptions(options, 'options', PLOT_OPTION_NAMES);
  const size = (v: unknown, n: string) => requireFiniteNumber(v, n, { min: 1, max: MAX_PLOT_SIZE_PX });
  const positive = (v: unknown, n: string) => requireFiniteNumber(v, n, { min: 0, minExclusive: true });
  optional(o.width, 'options.width', size);
  optional(o.height, 'options.height', size);
  optional(o.title, 'options.title', requireString);
  for (const key of ['relativeDose', 'relativeVolume', 'legend', 'differential']) optional(o[key], `options.${key}`, requireBoolean);
  for (const key of ['rxDose', 'doseMax', 'volumeMax']) optional(o[key], `options.${key}`, positive);
  const margin = requireOptions(o.margin, 'options.margin', ['top', 'right', 'bottom', 'left']);
  for (const key of ['top', 'right', 'bottom', 'left']) optional(margin[key], `options.margin.${key}`, (v, n) => requireFiniteNumber(v, n, { min: 0, max: MAX_PLOT_SIZE_PX }));
  const m = { ...DEFAULT_PLOT_MARGIN, ...(margin as Partial<PlotMargin>) };
  const width = (o.width as number | undefined) ?? 640;
  const height = (o.height as number | undefined) ?? 420;
  if (!(width - m.left - m.right >= 1 && height - m.top - m.bottom >= 1)) {
    throw new DosekitError('E_INVALID_ARGUMENT', `the plot of ${width} x ${height} px leaves no room inside its margins (top ${m.top}, right ${m.right}, bottom ${m.bottom}, left ${m.left} px); make it larger or the margins smaller.`, { argument: 'options' });
  }
}

/**
 * Draws DVHs as an SVG document: axes with ticks and unit labels, one `<polyline>` per DVH in its
 * ROI colour (`rgb(r,g,b)`, else the {@link DVH_PALETTE}), a legend and an optional title.
 * Cumulative (default): each curve passes through (bins[i], cumulative[i]) up to the last
 * non-empty bin and ends at that bin's upper edge with volume 0 (empty trailing bins are not
 * drawn); the y axis is "Volume [cm³]" (or [%]).
 * With `differential`: a step curve at differential[i] / (bins[i+1] − bins[i]) over each bin
 * [bins[i], bins[i+1]), from the first to the last non-empty bin, starting and ending at 0; the y
 * axis is "Volume per Gy [cm³/Gy]" (or %, cGy: the plotted units).
 * With plot area [left, width − right] × [top, height − bottom], dose d maps to
 * x = left + d / doseMax × plotWidth and volume v to y = height − bottom − v / volumeMax × plotHeight.
 * @param dvhs The DVHs, any type (converted to the plotted form).
 * @throws DosekitError `E_NO_RX_DOSE` for `relativeDose` without a prescription dose;
 *   `E_INCOMPATIBLE_DVH` when the plotted DVHs end up in different units.
 */
export function plotDvhs(dvhs: readonly DVH[], options: PlotOptions = {}): string {
  requireArrayOf(dvhs, 'dvhs', requireDvh);
  checkPlotOptions(options);
  const width = options.width ?? 640;
  const height = options.height ?? 420;
  const margin: PlotMargin = { ...DEFAULT_PLOT_MARGIN, ...options.margin };
  const differential = options.differential === true;
  const curves = dvhs.map((dvh) => {
    let c = differential ? dvh.differential : dvh.cumulative;
    if (options.relativeDose) c = c.relativeDose(c.rxDose ?? options.rxDose);
    if (options.relativeVolume) c = c.relativeVolume;
    return c;
  });
  const doseUnits = curves[0]?.doseUnits ?? (options.relativeDose ? '%' : 'Gy');
  const volumeUnits = curves[0]?.volumeUnits ?? (options.relativeVolume ? '%' : 'cm3');
  for (const c of curves) {
    if (c.doseUnits !== doseUnits || c.volumeUnits !== volumeUnits) {
      throw new DosekitError('E_INCOMPATIBLE_DVH', `plotDvhs: DVH ${c.name ?? ''} is in ${c.doseUnits}/${c.volumeUnits}, the first in ${doseUnits}/${volumeUnits}; convert them to the same units`);
    }
  }
  const polylines = curves.map((c) => (differential ? differentialPoints(c.bins, c.counts) : cumulativePoints(c.bins, c.counts)));
  let dataDoseMax = 0;
  let dataVolumeMax = 0;
  for (const points of polylines) {
    for (const [d, v] of points) {
      dataDoseMax = Math.max(dataDoseMax, d);
      dataVolumeMax = Math.max(dataVolumeMax, v);
    }
  }
  const xAxis = axisRange(dataDoseMax, options.doseMax);
  const yAxis = axisRange(dataVolumeMax, options.volumeMax ?? (volumeUnits === '%' && !differential ? 100 : undefined));
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const x = (d: number): number => margin.left + (d / xAxis.max) * plotWidth;
  const y = (v: number): number => height - margin.bottom - (v / yAxis.max) * plotHeight;
  const bottom = height - margin.bottom;
  const right = width - margin.right;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  if (options.title !== undefined) {
    out.push(`<text class="title" x="${num(margin.left + plotWidth / 2)}" y="${num(margin.top / 2)}" text-anchor="middle" dominant-baseline="middle" font-size="14">${escapeXml(options.title)}</text>`);
  }
  out.push('<g class="axes" stroke="black" stroke-width="1">');
  out.push(`<line x1="${margin.left}" y1="${bottom}" x2="${right}" y2="${bottom}"/>`);
  out.push(`<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${bottom}"/>`);
  for (const t of xAxis.ticks) out.push(`<line class="tick" x1="${num(x(t))}" y1="${bottom}" x2="${num(x(t))}" y2="${bottom + 5}"/>`);
  for (const t of yAxis.ticks) out.push(`<line class="tick" x1="${margin.left - 5}" y1="${num(y(t))}" x2="${margin.left}" y2="${num(y(t))}"/>`);
  out.push('</g>');
  out.push('<g class="tick-labels" fill="black">');
  for (const t of xAxis.ticks) out.push(`<text x="${num(x(t))}" y="${bottom + 18}" text-anchor="middle">${num(t, 6)}</text>`);
  for (const t of yAxis.ticks) out.push(`<text x="${margin.left - 8}" y="${num(y(t))}" text-anchor="end" dominant-baseline="middle">${num(t, 6)}</text>`);
  out.push('</g>');
  out.push(`<text class="axis-label" x="${num(margin.left + plotWidth / 2)}" y="${height - 12}" text-anchor="middle">Dose [${escapeXml(doseUnits)}]</text>`);
  const volumeLabel = VOLUME_LABEL[volumeUnits]!;
  const yLabel = differential ? `Volume per ${doseUnits} [${volumeLabel}/${doseUnits}]` : `Volume [${volumeLabel}]`;
  out.push(
    `<text class="axis-label" x="16" y="${num(margin.top + plotHeight / 2)}" text-anchor="middle" transform="rotate(-90 16 ${num(margin.top + plotHeight / 2)})">${escapeXml(yLabel)}</text>`,
  );

  const colors = curves.map((c, i) => {
    const [r, g, b] = c.color ?? DVH_PALETTE[i % DVH_PALETTE.length]!;
    return `rgb(${r},${g},${b})`;
  });
  out.push('<g class="curves" fill="none" stroke-width="1.5">');
  curves.forEach((c, i) => {
    const points = polylines[i]!.map(([d, v]) => `${num(x(d))},${num(y(v))}`);
    const label = c.name !== undefined ? ` data-name="${escapeXml(c.name)}"` : '';
    out.push(`<polyline class="dvh-curve"${label} stroke="${colors[i]}" points="${points.join(' ')}"/>`);
  });
  out.push('</g>');

  if (options.legend !== false && curves.length > 0) {
    out.push('<g class="legend">');
    curves.forEach((c, i) => {
      const ly = margin.top + 12 + i * 16;
      const lx = right - 150;
      out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${colors[i]}" stroke-width="2"/>`);
      out.push(`<text x="${lx + 26}" y="${ly}" dominant-baseline="middle">${escapeXml(c.name ?? `DVH ${i + 1}`)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}
