// SPDX-License-Identifier: BSD-3-Clause
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TransferSyntax, encodeDataset, readDicomDict } from '../helpers/dicom-writer.js';
import { exampleBytes, goldenFixture } from '../helpers/examples.js';

const reference = goldenFixture('dcc-dvh-reference.json')['dvhcalc.default'];
const RTSS = 'examples/rtss.dcm';
const RTDOSE = 'examples/rtdose_substitute.dcm';
const tmp = () => mkdtempSync(join(tmpdir(), 'dosekit-dvh-'));

describe('dosekit dvh', () => {
  it('--format json: every ROI with dicompyler-core numbers, the empty one as an error, exit code 2', () => {
    const { code, stdout, stderr } = runCli(['dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--algorithm', 'dicompyler', '--format', 'json', '--stats', 'D95,V1Gy,D2cc']);
    expect(stderr).toBe('');
    expect(code).toBe(2);
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ tool: 'dosekit', algorithm: 'dicompyler', backend: { kind: 'cpu' }, rtss: RTSS, rtdose: RTDOSE });
    expect(out.dvhs.map((d: { roi: number }) => d.roi)).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const d of out.dvhs) {
      const r = reference[String(d.roi)];
      expect(d.name).toBe(r.name);
      expect(d.volumeCm3).toBeCloseTo(r.volume, 9);
      expect([d.minGy, d.maxGy]).toEqual([r.min, r.max]);
      expect(d.meanGy).toBeCloseTo(r.mean, 9);
      expect(d.stats.D95).toEqual({ value: r.D95, units: 'Gy' });
      expect(d.stats.D2cc.value).toBeCloseTo(r.D2cc, 9);
      expect(d.stats.V1Gy.value).toBeCloseTo(r.V1Gy, 9);
      expect(d.binWidthGy).toBeCloseTo(0.01, 12);
      expect(d.doseGy.length).toBe(r.cumulative_counts.length);
      d.cumulativeCm3.forEach((c: number, i: number) => expect(c).toBeCloseTo(r.cumulative_counts[i], 9));
    }
    expect(out.errors).toEqual([expect.objectContaining({ roi: 2, name: 'Areola', code: 'E_EMPTY_ROI' })]);
  });

  it('--roi by number and name, --format csv, exit code 0 when every ROI succeeds', () => {
    const { code, stdout } = runCli(['dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--algorithm', 'dicompyler', '--roi', '5', '--roi', 'Tumor Bed', '--format', 'csv', '--stats', 'D95']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('roi,name,volumeCm3,minGy,meanGy,maxGy,D95,error');
    expect(lines[1].split(',').slice(0, 2)).toEqual(['5', 'Heart']);
    expect(Number(lines[1].split(',')[2])).toBeCloseTo(reference['5'].volume, 9);
    expect(lines[2].split(',')[6]).toBe(String(reference['9'].D95));
  });

  it('the table prints describe() per ROI, and --limit-cgy / --thickness-mm reach the calculation', () => {
    const { stdout } = runCli(['dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--algorithm', 'dicompyler', '--roi', '5']);
    expect(stdout.startsWith(reference['5'].describe)).toBe(true);
    const thin = JSON.parse(runCli(['dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--algorithm', 'dicompyler', '--roi', '5', '--thickness-mm', '2.5', '--format', 'json']).stdout);
    expect(thin.dvhs[0].volumeCm3).toBeCloseTo(reference['5'].volume * (2.5 / 2.9999999999999964), 6);
  });

  it('writes --out, --csv and --plot files safely: never over an input, not over an existing file without --force', () => {
    const dir = tmp();
    const out = join(dir, 'dvhs.json');
    const plot = join(dir, 'plot.svg');
    const csv = join(dir, 'stats.csv');
    const first = runCli(['dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--roi', '8', '--format', 'json', '-o', out, '--plot', plot, '--csv', csv]);
    expect(first.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).dvhs[0].name).toBe('Scar');
    expect(readFileSync(plot, 'utf8')).toMatch(/^<svg[\s\S]*Scar[\s\S]*<\/svg>\s*$/);
    expect(readFileSync(csv, 'utf8').split('\n')[1]).toMatch(/^8,Scar,/);
    const again = runCli(['dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--roi', '8', '-o', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error E_OUTPUT_EXISTS: .*--force/);
    expect(runCli(['dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--roi', '8', '-o', out, '--force']).code).toBe(0);
    const copy = join(dir, 'rtss.dcm');
    writeFileSync(copy, exampleBytes('rtss.dcm'));
    const clobber = runCli(['dvh', '--rtss', copy, '--rtdose', RTDOSE, '--roi', '8', '-o', copy, '--force']);
    expect(clobber.stderr).toMatch(/^error E_OUTPUT_IS_INPUT: /);
    expect(readFileSync(copy)).toEqual(Buffer.from(exampleBytes('rtss.dcm')));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('bad input: wrong modality, unknown ROI, frame-of-reference mismatch, bad statistic, missing option', () => {
    const swapped = runCli(['dvh', '--rtss', RTDOSE, '--rtdose', RTSS]);
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toMatch(/^error E_NOT_RTSTRUCT: .*rtdose_substitute\.dcm/);
    const unknown = runCli(['dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--roi', 'Spleen', '--format', 'json']);
    expect(unknown.code).toBe(2);
    const error = JSON.parse(unknown.stdout).errors[0];
    expect(error.code).toBe('E_ROI_NOT_FOUND');
    expect(error.message).toContain('5 "Heart"');
    const { meta, dict } = readDicomDict(exampleBytes('rtdose_substitute.dcm'));
    (dict['00200052'] as { Value: string[] }).Value = ['1.2.826.0.1.3680043.10.999.1'];
    const dir = tmp();
    const otherFrame = join(dir, 'other-frame.dcm');
    writeFileSync(otherFrame, encodeDataset(meta, dict, TransferSyntax.ImplicitVRLittleEndian));
    const mismatch = runCli(['dvh', '--rtss', RTSS, '--rtdose', otherFrame, '--roi', '5']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/^error E_FRAME_OF_REFERENCE_MISMATCH: .*--force/);
    expect(runCli(['dvh', '--rtss', RTSS, '--rtdose', otherFrame, '--roi', '5', '--force']).code).toBe(0);
    expect(runCli(['dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--stats', 'V20cc']).stderr).toMatch(/^error E_BAD_STATISTIC: /);
    expect(runCli(['dvh', '--rtss', RTSS]).stderr).toMatch(/^error E_USAGE: .*--rtdose/);
    expect(existsSync(join(dir, 'nothing'))).toBe(false);
  });
});
