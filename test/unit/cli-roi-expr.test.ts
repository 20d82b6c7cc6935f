// SPDX-License-Identifier: BSD-3-Clause
// `dosekit dvh --roi-expr NAME=EXPRESSION`: derived ROIs as rows of every output format.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const FILES = ['--rtss', 'examples/rtss.dcm', '--rtdose', 'examples/rtdose_substitute.dcm', '--algorithm', 'dicompyler', '--backend', 'cpu'];
const EXPRS = ['--roi-expr', 'Both="Tumor Bed"|Nodes', '--roi-expr=Ring = expand("Tumor Bed", 5) - "Tumor Bed"'];

describe('dosekit dvh --roi-expr', () => {
  it('json: derived ROIs after the --roi ones, with negative ids and their expressions', () => {
    const { code, stdout, stderr } = runCli(['dvh', ...FILES, '--roi', 'Tumor Bed', '--roi', 'Nodes', ...EXPRS, '--format', 'json', '--stats', 'D95']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.dvhs.map((d: { roi: number; name: string; expression?: string }) => [d.roi, d.name, d.expression])).toEqual([
      [9, 'Tumor Bed', undefined],
      [7, 'Nodes', undefined],
      [-1, 'Both', '"Tumor Bed"|Nodes'],
      [-2, 'Ring', 'expand("Tumor Bed", 5) - "Tumor Bed"'],
    ]);
    // The two are disjoint, so the union's volume is the sum (voxel centres: exactly, to rounding).
    expect(out.dvhs[2].volumeCm3).toBeCloseTo(out.dvhs[0].volumeCm3 + out.dvhs[1].volumeCm3, 9);
    expect(out.dvhs[3].volumeCm3).toBeGreaterThan(0);
  });

  it('csv and table: one row (block) per derived ROI; without --roi, every ROI plus the derived ones', () => {
    const csv = runCli(['dvh', ...FILES, ...EXPRS, '--format', 'csv', '--stats', 'D95']);
    expect(csv.code).toBe(2); // Areola is empty
    const rows = csv.stdout.trim().split('\n').map((line) => line.split(',')[0]);
    expect(rows.slice(-3)).toEqual(['-1', '-2', '2']);
    expect(rows.length).toBe(1 + 9 + 2 + 1);
    const table = runCli(['dvh', ...FILES, '--roi', '9', ...EXPRS, '--stats', 'D95']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Expression: "Tumor Bed"\|Nodes/);
    expect(table.stdout).toMatch(/Expression: expand\("Tumor Bed", 5\) - "Tumor Bed"/);
    expect(table.stdout).toMatch(/3 DVHs/);
  });

  it('a bad expression is a fatal E_BAD_ROI_EXPRESSION with a caret; an unknown ROI is an E_ROI_NOT_FOUND row', () => {
    const bad = runCli(['dvh', ...FILES, '--roi-expr', 'P = Heart | | x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error E_BAD_ROI_EXPRESSION: .* at column 13:\n {2}P = Heart \| \| x\n {14}\^/);
    const unknown = runCli(['dvh', ...FILES, '--roi', '9', '--roi-expr', 'P = Hart | Heart', '--format', 'csv', '--stats', 'D95']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toMatch(/^-1,P,.*E_ROI_NOT_FOUND: .*no ROI ""Hart"" \(column 1\)/m);
  });
});
