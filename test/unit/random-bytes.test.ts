// SPDX-License-Identifier: BSD-3-Clause
/**
 * Random bytes in a regular file (what `head -c N /dev/urandom > file` makes), bare or behind a
 * valid preamble, "DICM" and file meta, of several sizes and seeds: every reader fails fast with
 * E_NOT_DICOM or E_MALFORMED_DICOM, never a crash, an out-of-memory abort or another code. Run in
 * a child process (the built package) whose JavaScript heap is capped and whose peak memory
 * (maxRSS) is measured, so that runaway allocation fails the test rather than the machine.
 */
import { describe, expect, it } from 'vitest';
import { distModule, runNodeScript } from '../helpers/child-node.js';
import { ROOT } from '../helpers/cli.js';

const MIB = 2 ** 20;
const LARGEST_BYTES = 48 * MIB;

/** The child: writes each case to a file, reads it with each reader, prints one JSON line per read. */
const script = `
  import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
  import { tmpdir } from 'node:os';
  import { join } from 'node:path';
  const { DicomParser } = await import(${JSON.stringify(distModule('dicom/parser.js'))});
  const { readDicomHeaderFile } = await import(${JSON.stringify(distModule('dicom/header-file.js'))});
  // mulberry32: the same bytes for the same seed everywhere.
  const random = (seed) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const example = new Uint8Array(readFileSync(${JSON.stringify(`${ROOT}examples/rtplan.dcm`)}));
  const metaEnd = 144 + new DataView(example.buffer).getUint32(140, true);
  // The example's first dataset element (SpecificCharacterSet), kept whole before the random bytes.
  const firstElementEnd = metaEnd + 8 + new DataView(example.buffer).getUint32(metaEnd + 4, true);
  const prefixes = {
    raw: new Uint8Array(0),
    bare: Uint8Array.of(0x08, 0x00),
    dicm: (() => { const p = new Uint8Array(132); p.set([0x44, 0x49, 0x43, 0x4d], 128); return p; })(),
    meta: example.subarray(0, metaEnd),
    'meta+element': example.subarray(0, firstElementEnd),
  };
  const dir = mkdtempSync(join(tmpdir(), 'dosekit-random-'));
  const [sizes, seeds] = process.argv.slice(1).map((list) => list.split(',').map(Number));
  try {
    for (const size of sizes) {
      for (const seed of seeds) {
        for (const [mode, prefix] of Object.entries(prefixes)) {
          const next = random(seed * 7919 + size);
          const bytes = new Uint8Array(size);
          // Random 32-bit words (fast enough for tens of MiB), then the prefix over the start.
          const words = new Uint32Array(bytes.buffer, 0, size >>> 2);
          for (let i = 0; i < words.length; i += 1) words[i] = next() * 4294967296;
          for (let i = words.length * 4; i < size; i += 1) bytes[i] = next() * 256;
          bytes.set(prefix.subarray(0, size));
          const path = join(dir, mode + '-' + size + '-' + seed + '.bin');
          writeFileSync(path, bytes);
          for (const [reader, read] of [['DicomParser.fromFile', (p) => DicomParser.fromFile(p)], ['readDicomHeaderFile', (p) => readDicomHeaderFile(p)]]) {
            const started = performance.now();
            let code = 'none';
            let message = '';
            try {
              await read(path);
            } catch (error) {
              code = error?.code ?? String(error);
              message = String(error?.message).slice(0, 300);
            }
            console.log(JSON.stringify({ mode, size, seed, reader, code, message, ms: performance.now() - started }));
          }
          rmSync(path);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
`;

interface ReadLine {
  mode: string;
  size: number;
  seed: number;
  reader: string;
  code: string;
  message: string;
  ms: number;
}

describe('random bytes in a regular file', () => {
  it('every reader: E_NOT_DICOM or E_MALFORMED_DICOM, fast, in bounded memory', () => {
    const sizes = [1, 131, 1024, MIB, LARGEST_BYTES];
    const seeds = [1, 2, 3];
    const result = runNodeScript(script, { argv: [sizes.join(','), seeds.join(',')], timeoutMs: 180_000, maxOldSpaceMb: 256 });
    expect(result.signal, result.stderr).toBeNull();
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as ReadLine & { maxRssBytes?: number });
    const { maxRssBytes } = lines.pop() as { maxRssBytes: number };
    expect(lines).toHaveLength(sizes.length * seeds.length * 5 * 2);
    for (const line of lines) {
      const label = `${line.reader} on ${line.mode} ${line.size} bytes, seed ${line.seed}: ${line.message}`;
      expect(['E_NOT_DICOM', 'E_MALFORMED_DICOM'], label).toContain(line.code);
      // Generous: the point is that nothing grows with a length field's value.
      expect(line.ms, label).toBeLessThan(5_000);
    }
    // The file itself, once, plus Node and the case being built: nothing proportional to a declared length.
    expect(maxRssBytes).toBeLessThan(3 * LARGEST_BYTES + 160 * MIB);
  });
});
