// SPDX-License-Identifier: BSD-3-Clause
// writeFileSafely (behind every file dosekit writes, DoseGrid.saveDcm included) replaces regular
// files only: a FIFO, a socket or a folder at the target is E_OUTPUT_NOT_A_FILE even with force,
// and is left as it was.
import { execFileSync } from 'node:child_process';
import { type Stats, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSafely } from '../../src/dicom/write-file.js';
import { DoseGrid } from '../../src/model/dose-grid.js';
import { examplePath } from '../helpers/examples.js';

let dir: string;
let server: Server;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dosekit-write-targets-'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  mkdirSync(join(dir, 'folder'));
  server = createServer();
  await new Promise<void>((resolve) => server.listen(join(dir, 'socket'), resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('writeFileSafely targets', () => {
  it.each([
    ['fifo', (s: Stats) => s.isFIFO()],
    ['socket', (s: Stats) => s.isSocket()],
    ['folder', (s: Stats) => s.isDirectory()],
  ])('a %s is E_OUTPUT_NOT_A_FILE with force: true, and stays', async (name, stillThere) => {
    const target = join(dir, name);
    expect(await codeOf(writeFileSafely(target, 'x', { force: true }))).toBe('E_OUTPUT_NOT_A_FILE');
    expect(await codeOf(writeFileSafely(target, 'x'))).toBe('E_OUTPUT_NOT_A_FILE');
    expect(stillThere(lstatSync(target))).toBe(true);
  });

  it('DoseGrid.saveDcm onto a FIFO (through a link) is refused the same way', async () => {
    const grid = await DoseGrid.fromFile(examplePath('rtdose_substitute.dcm'));
    const link = join(dir, 'dose-link.dcm');
    symlinkSync(join(dir, 'fifo'), link);
    expect(await codeOf(grid.saveDcm(link, { force: true }))).toBe('E_OUTPUT_NOT_A_FILE');
    expect(lstatSync(join(dir, 'fifo')).isFIFO()).toBe(true);
  });

  it('a link to a regular file: with force, the file gets the new content and the link stays a link', async () => {
    const real = join(dir, 'real.txt');
    writeFileSync(real, 'old');
    const link = join(dir, 'real-link.txt');
    symlinkSync(real, link);
    expect(await codeOf(writeFileSafely(link, 'new'))).toBe('E_OUTPUT_EXISTS');
    await writeFileSafely(link, 'new', { force: true });
    expect(readFileSync(real, 'utf8')).toBe('new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});
