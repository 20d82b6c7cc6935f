// SPDX-License-Identifier: BSD-3-Clause
// The precise algorithm against the analytical phantom suite (Nelms et al. 2015 style), every
// case written to DICOM and read back. Targets: at most 2 % of endpoints beyond 3 %, none beyond
// 10 %; volume within 1e-9 relative (the prism model is exact up to rounding); Dmean within 1 %;
// the whole cumulative curve within 1 % of the volume.
import { describe, expect, it } from 'vitest';
import { summarise } from '../../src/phantom/accuracy.js';
import { PHANTOM_SUITE_SIZE } from '../../src/phantom/phantom.js';
import { type SuiteCase, runPhantomSuite } from '../../src/phantom/run-suite.js';

// Trilinear interpolation of a Gaussian (sigma 10 mm) sampled on a 2 or 3 mm grid misses its
// curvature by up to about 1.5 % near the peak; the truth integrates the analytic field. Those
// cases (any grid spacing over 1 mm, square or not) are held to the endpoint targets only (see
// the README's accuracy table).
const gridMm = (c: SuiteCase) => (typeof c.spec.doseGridMm === 'number' ? [c.spec.doseGridMm] : c.spec.doseGridMm);
const interpolationLimited = (c: SuiteCase) => c.spec.dose === 'gaussian' && Math.max(...gridMm(c)) > 1;

/** The suite, run once per file by whichever test needs it first (each test may run alone). */
let suite: Promise<SuiteCase[]> | null = null;
async function allCases(): Promise<SuiteCase[]> {
  suite ??= runPhantomSuite();
  const cases = await suite;
  expect(cases.length).toBe(PHANTOM_SUITE_SIZE);
  return cases;
}

/**
 * The structure volume's error bound, in percent: 1e-9 relative. The volume is the sum of the
 * contours' prisms, exact for these polygons up to rounding (about 1e-12 relative achieved).
 */
const VOLUME_PERCENT = 1e-7;

describe('analytical phantom suite', () => {
  it('runs every case through DICOM files, both algorithms', async () => {
    expect((await allCases()).length).toBe(PHANTOM_SUITE_SIZE);
  }, 300_000);

  it('precise: at most 2 % of endpoints more than 3 % off, none more than 10 % (PlanIQ: 7 %)', async () => {
    const cases = await allCases();
    const summary = summarise(cases.map((c) => c.reports.precise));
    expect(summary.endpoints).toBe(cases.length * 9);
    expect(summary.over3Percent).toBeLessThanOrEqual(2);
    expect(summary.over10Percent).toBe(0);
  }, 300_000);

  it('precise: volume within 1e-9 (relative), Dmean within 1 %, the cumulative curve within 1 % of the volume', async () => {
    const cases = await allCases();
    const failures: string[] = [];
    let worstVolume = 0;
    for (const c of cases) {
      const r = c.reports.precise;
      const volume = r.endpoints.find((e) => e.endpoint === 'volume')!;
      const mean = r.endpoints.find((e) => e.endpoint === 'Dmean')!;
      worstVolume = Math.max(worstVolume, Math.abs(volume.percent));
      if (Math.abs(volume.percent) > VOLUME_PERCENT) failures.push(`${c.name}: volume ${volume.percent.toExponential(2)} %`);
      if (interpolationLimited(c)) continue;
      if (Math.abs(mean.percent) > 1) failures.push(`${c.name}: Dmean ${mean.percent.toFixed(2)} %`);
      if (r.curveMaxErrorPercent > 1) failures.push(`${c.name}: curve ${r.curveMaxErrorPercent.toFixed(2)} %`);
    }
    console.log(`largest volume error: ${worstVolume.toExponential(2)} %`);
    expect(failures).toEqual([]);
  }, 300_000);

  it('dicompyler: fails the targets, as the benchmark found for voxel-centre DVHs', async () => {
    const cases = await allCases();
    const summary = summarise(cases.map((c) => c.reports.dicompyler));
    expect(summary.over3Percent).toBeGreaterThan(30);
  }, 300_000);
});
