// SPDX-License-Identifier: BSD-3-Clause
// The histogram bins of a DVH calculation: the algorithm's own width (dicompyler 1 cGy, precise
// 0.1 cGy) up to MAX_HISTOGRAM_BINS bins, coarser beyond, so that memory and time never grow
// with the maximum dose.
import type { DoseBinning } from '../kernels/dose-histogram.js';
import type { DoseGrid } from '../model/dose-grid.js';
import type { DvhAlgorithm } from './calculation-options.js';

/**
 * The most bins a DVH calculation's histogram has (per ROI): 2^17 = 131 072. When the
 * algorithm's bin width (1 cGy for `dicompyler`, 0.1 cGy for `precise`) would need more to reach
 * the maximum dose (a maximum of 1 310.71 Gy or more, respectively 131.07 Gy or more), the width
 * becomes the smallest of 1, 2 or 5 x a power of ten cGy that needs at most this many (e.g. a
 * maximum of 3 800 Gy: 5 cGy bins under both algorithms; 20 000 Gy: 20 cGy), the same on every
 * backend; the DVH's `computedBy.warnings` says so, and its bins (`binWidthGy` in the CLI's JSON)
 * show the width. Every histogram costs time and memory in proportion to its bins for every batch
 * of dose planes, so the bound keeps a brachytherapy dose (thousands of Gy) as fast as a 70 Gy
 * plan, while the resolution stays below 1e-5 of the maximum dose.
 */
export const MAX_HISTOGRAM_BINS = 2 ** 17;

/** Histogram bin width of the precise algorithm below {@link MAX_HISTOGRAM_BINS} bins, cGy. */
export const PRECISE_BIN_WIDTH_CGY = 0.1;
/** Histogram bin width of the dicompyler algorithm below {@link MAX_HISTOGRAM_BINS} bins (dicompyler-core's), cGy. */
export const DICOMPYLER_BIN_WIDTH_CGY = 1;

/** A calculation's binning, and the warning when its bins are wider than the algorithm's. */
export interface HistogramBinning {
  readonly binning: DoseBinning;
  readonly warning?: string;
}

/** The widths 1, 2, 5 x 10^k from `from` (itself one of them) upwards, as exact decimals. */
function* niceWidths(from: number): Generator<number> {
  let exponent = Math.round(Math.log10(from));
  let mantissa = 1;
  for (;;) {
    const width = Number(`${mantissa}e${exponent}`);
    if (width >= from) yield width;
    if (mantissa === 5) {
      mantissa = 1;
      exponent += 1;
    } else mantissa = mantissa === 1 ? 2 : 5;
  }
}

function gyText(cGy: number): string {
  return `${Number((cGy / 100).toPrecision(6))}`;
}

/**
 * The binning of `algorithm` for `grid`. dicompyler: floor(max cGy) + 1 bins of 1 cGy (lowered to
 * `limitCGy` when given), dicompyler-core's rule. precise: ceil(max cGy / 0.1) + 1 bins of
 * 0.1 cGy. Either coarsened past {@link MAX_HISTOGRAM_BINS} as documented there.
 */
export function histogramBinning(algorithm: DvhAlgorithm, grid: DoseGrid, options: { readonly limitCGy?: number } = {}): HistogramBinning {
  const unitsToCGy = grid.info.doseUnits === 'CGY' ? 1 : 100;
  const maxCGy = grid.maxStoredValue * grid.doseGridScaling * unitsToCGy;
  const base = algorithm === 'dicompyler' ? DICOMPYLER_BIN_WIDTH_CGY : PRECISE_BIN_WIDTH_CGY;
  // The dose range the bins must cover, and the bin count at a width.
  let count: (width: number) => number;
  if (algorithm === 'dicompyler') {
    let rangeCGy = Math.trunc(maxCGy) + 1;
    if (options.limitCGy !== undefined && options.limitCGy < rangeCGy) rangeCGy = options.limitCGy;
    count = (width) => (width === 1 ? rangeCGy : Math.ceil(rangeCGy / width));
  } else count = (width) => Math.ceil(maxCGy / width) + 1;
  let binWidthCGy = base;
  if (!(count(base) <= MAX_HISTOGRAM_BINS)) {
    for (const width of niceWidths(base)) {
      binWidthCGy = width;
      // A maximum that is no number (never from a checked grid) stops at the first width.
      if (count(width) <= MAX_HISTOGRAM_BINS || !Number.isFinite(maxCGy)) break;
    }
  }
  const binCount = count(binWidthCGy);
  const binning: DoseBinning = { doseGridScaling: grid.doseGridScaling, unitsToCGy, binWidthCGy, binCount };
  if (binWidthCGy === base) return { binning };
  return {
    binning,
    warning:
      `the dose reaches ${gyText(maxCGy)} Gy, which at the ${algorithm} algorithm's ${base} cGy bins would need more than ${MAX_HISTOGRAM_BINS} histogram bins; ` +
      `the bins are ${binWidthCGy} cGy (${gyText(binWidthCGy)} Gy) wide instead, so doses and statistics are resolved to ${binWidthCGy} cGy.`,
  };
}

/** Bytes of one histogram target of `binCount` bins: counts and two ramp accumulators, float64. */
export function histogramTargetBytes(binCount: number): number {
  return (binCount + 2 * (binCount + 1)) * 8;
}
