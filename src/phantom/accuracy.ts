// SPDX-License-Identifier: BSD-3-Clause
// How far a calculated DVH is from a phantom's ground truth, endpoint by endpoint (Nelms et al.,
// Med Phys 2015: per-endpoint percentage differences, counted against 3 % and 10 %). The truth
// is the exact DVH of the right-prism model of the contours (each contour extruded +- half the
// contour spacing), one truth among others: an error here is measured against that model, not
// against the solid the contours were cut from (the contours are checked against the solids in
// test/analytical/solid-sections.test.ts).
import { DVH } from '../dvh/dvh.js';
import { requireInstance } from '../validate.js';
import type { GroundTruth } from './ground-truth.js';
import { requireAccuracyReports, requireGroundTruth } from './phantom-arguments.js';

/** The endpoints compared, in the order reports list them. */
export const ENDPOINTS = ['volume', 'Dmin', 'Dmax', 'Dmean', 'D99', 'D95', 'D5', 'D1', 'D0.03cc'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** One endpoint: the calculated and the true value, and their difference in percent of the true value. */
export interface EndpointError {
  readonly endpoint: Endpoint;
  readonly calculated: number;
  readonly truth: number;
  readonly percent: number;
}

/** The errors of one DVH against its ground truth. */
export interface AccuracyReport {
  readonly endpoints: readonly EndpointError[];
  /** The largest |calculated - true| cumulative volume over the dose range, in % of the true volume. */
  readonly curveMaxErrorPercent: number;
}

function calculatedEndpoint(dvh: DVH, endpoint: Endpoint): number {
  switch (endpoint) {
    case 'volume': return dvh.volume;
    case 'Dmin': return dvh.min;
    case 'Dmax': return dvh.max;
    case 'Dmean': return dvh.mean;
    default: return dvh.statistic(endpoint).value;
  }
}

function trueEndpoint(truth: GroundTruth, endpoint: Endpoint): number {
  switch (endpoint) {
    case 'volume': return truth.volumeCm3;
    case 'Dmin': return truth.minGy;
    case 'Dmax': return truth.maxGy;
    case 'Dmean': return truth.meanGy;
    case 'D99': return truth.D99Gy;
    case 'D95': return truth.D95Gy;
    case 'D5': return truth.D5Gy;
    case 'D1': return truth.D1Gy;
    case 'D0.03cc': return truth.D0_03ccGy;
  }
}

/**
 * Compares a cumulative DVH in Gy and cm3 with a ground truth (the exact DVH of the right-prism
 * model of the contours, see {@link GroundTruth}): each endpoint in percent of its
 * true value, and the whole curve on a grid of 400 doses from 0 to the true maximum, as the
 * largest volume difference in percent of the true volume.
 */
export function compareWithTruth(dvh: DVH, truth: GroundTruth): AccuracyReport {
  requireInstance(dvh, 'dvh', DVH, 'a DVH');
  requireGroundTruth(truth, 'truth');
  const endpoints = ENDPOINTS.map((endpoint) => {
    const calculated = calculatedEndpoint(dvh, endpoint);
    const t = trueEndpoint(truth, endpoint);
    return { endpoint, calculated, truth: t, percent: t === 0 ? (calculated === 0 ? 0 : Infinity) : ((calculated - t) / t) * 100 };
  });
  let curveMax = 0;
  const top = truth.maxGy * 1.02;
  for (let k = 0; k <= 400; k += 1) {
    const d = (top * k) / 400;
    const calculated = dvh.volumeConstraint(d, 'Gy').value;
    curveMax = Math.max(curveMax, (Math.abs(calculated - truth.cumulative(d)) / truth.volumeCm3) * 100);
  }
  return { endpoints, curveMaxErrorPercent: curveMax };
}

/** Summary over many reports: the share of endpoints beyond 3 % and 10 %, and the worst cases. */
export function summarise(reports: readonly AccuracyReport[]): { endpoints: number; over3Percent: number; over10Percent: number; worstMeanPercent: number; worstVolumePercent: number; worstCurvePercent: number } {
  requireAccuracyReports(reports, 'reports');
  let endpoints = 0;
  let over3 = 0;
  let over10 = 0;
  let worstMean = 0;
  let worstVolume = 0;
  let worstCurve = 0;
  for (const report of reports) {
    for (const e of report.endpoints) {
      endpoints += 1;
      if (Math.abs(e.percent) > 3) over3 += 1;
      if (Math.abs(e.percent) > 10) over10 += 1;
      if (e.endpoint === 'Dmean') worstMean = Math.max(worstMean, Math.abs(e.percent));
      if (e.endpoint === 'volume') worstVolume = Math.max(worstVolume, Math.abs(e.percent));
    }
    worstCurve = Math.max(worstCurve, report.curveMaxErrorPercent);
  }
  return { endpoints, over3Percent: (over3 / endpoints) * 100, over10Percent: (over10 / endpoints) * 100, worstMeanPercent: worstMean, worstVolumePercent: worstVolume, worstCurvePercent: worstCurve };
}
