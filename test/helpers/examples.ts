// SPDX-License-Identifier: BSD-3-Clause
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DicomParser } from '../../src/dicom/parser.js';

/** Absolute path of a bundled example file. */
export function examplePath(name: string): string {
  return fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
}

/** Bytes of a bundled example file. */
export function exampleBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(examplePath(name)));
}

const cache = new Map<string, DicomParser>();

/** A parser for a bundled example (cached per test file). */
export function exampleParser(name: string): DicomParser {
  let parser = cache.get(name);
  if (!parser) {
    parser = DicomParser.fromBytes(exampleBytes(name), examplePath(name));
    cache.set(name, parser);
  }
  return parser;
}

/** Reads a JSON fixture from test/golden/fixtures. */
export function goldenFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../golden/fixtures/${name}`, import.meta.url)), 'utf8')) as T;
}
