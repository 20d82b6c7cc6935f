// SPDX-License-Identifier: BSD-3-Clause
// The memory ceiling: a dose grid, a contour set or a dose sum over it is refused up front with
// E_TOO_LARGE naming the size and how to raise the ceiling; under it everything works as usual.
import { afterEach, describe, expect, it } from 'vitest';
import { DicomParser } from '../../src/dicom/parser.js';
import { sumDoseGrids } from '../../src/dose/sum.js';
import { DEFAULT_MEMORY_LIMIT_BYTES, memoryLimitBytes, parseByteSize } from '../../src/limits.js';
import { DoseGrid } from '../../src/model/dose-grid.js';
import { runCli } from '../helpers/cli.js';
import { exampleBytes, examplePath } from '../helpers/examples.js';

afterEach(() => {
  delete process.env.DOSEKIT_MAX_MEMORY;
});

describe('memory ceiling', () => {
  it('sizes parse as powers of 1024; the default is 4 GiB; junk is refused', () => {
    expect(parseByteSize('8G')).toBe(8 * 2 ** 30);
    expect(parseByteSize('512M')).toBe(512 * 2 ** 20);
    expect(parseByteSize('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseByteSize('1000')).toBe(1000);
    expect(() => parseByteSize('lots')).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(memoryLimitBytes()).toBe(DEFAULT_MEMORY_LIMIT_BYTES);
    process.env.DOSEKIT_MAX_MEMORY = '2G';
    expect(memoryLimitBytes()).toBe(2 * 2 ** 30);
    expect(memoryLimitBytes(1234)).toBe(1234);
  });

  it('an RT Dose whose pixel data is over the ceiling: E_TOO_LARGE naming the file, the size and --max-memory', () => {
    process.env.DOSEKIT_MAX_MEMORY = '1M';
    const parser = DicomParser.fromBytes(exampleBytes('rtdose_substitute.dcm'), 'big-dose.dcm');
    let error: unknown;
    try {
      parser.toDoseGrid();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'E_TOO_LARGE', details: { file: 'big-dose.dcm', attribute: 'PixelData', limit: 2 ** 20 } });
    expect(String((error as Error).message)).toMatch(/big-dose\.dcm: the pixel data \(129 x 194 x 98\) would need 9\.4 MiB, more than the memory limit of 1\.0 MiB.*--max-memory/);
  });

  it('a contour set over the ceiling: E_TOO_LARGE naming ContourData', () => {
    process.env.DOSEKIT_MAX_MEMORY = '64K';
    expect(() => DicomParser.fromBytes(exampleBytes('rtss.dcm'), 'rtss.dcm').toStructureSet()).toThrow(expect.objectContaining({ code: 'E_TOO_LARGE', details: expect.objectContaining({ attribute: 'ContourData' }) }));
  });

  it('a dose sum over the ceiling: E_TOO_LARGE before any work; under it, the sum', async () => {
    const base = await DoseGrid.fromFile(examplePath('rtdose_substitute.dcm'));
    await expect(sumDoseGrids([base, base], { memoryLimitBytes: 10 * 2 ** 20 })).rejects.toMatchObject({ code: 'E_TOO_LARGE' });
    const sum = await sumDoseGrids([base, base], { memoryLimitBytes: 64 * 2 ** 20 });
    expect(sum.maxDoseGy).toBeCloseTo(2 * base.maxDoseGy, 6);
  });

  it('the CLI: --max-memory anywhere on the line; too small is E_TOO_LARGE (exit 1), a bad size E_INVALID_ARGUMENT', () => {
    const args = ['dvh', '--rtss', 'examples/rtss.dcm', '--rtdose', 'examples/rtdose_substitute.dcm', '--roi', '8', '--backend', 'cpu'];
    const small = runCli([...args, '--max-memory', '2M']);
    expect(small.code).toBe(1);
    expect(small.stderr).toMatch(/^error E_TOO_LARGE: .*--max-memory/);
    const enough = runCli(['--max-memory=1G', ...args]);
    expect(enough.code, enough.stderr).toBe(0);
    expect(runCli([...args, '--max-memory', 'lots']).stderr).toMatch(/^error E_INVALID_ARGUMENT/);
  });
});
