// SPDX-License-Identifier: BSD-3-Clause
// Keeps the dependency rules of the design true by reading the import statements.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
}

/** Imports that load a module when this one loads: not `import type`, not `import()`. */
function staticValueImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)(?!\s+type\s)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

function lazyImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
}

const libraryFiles = [...sources('src'), ...sources('fallback')];

describe('architecture', () => {
  it('only src/dicom imports dcmjs', () => {
    const offenders = libraryFiles.filter((f) => !f.startsWith('src/dicom/') && imports(f).includes('dcmjs'));
    expect(offenders).toEqual([]);
  });

  it('src/model depends on nothing but itself and errors/warnings/validate when loaded', () => {
    // DoseGrid carries the dose module's operations (one name, one type): its methods reach
    // src/dose and src/dicom through import() when called, so loading the model loads nothing
    // else and the layers stay acyclic. Type-only imports vanish from the JavaScript.
    const offenders = sources('src/model').flatMap((f) =>
      staticValueImports(f)
        .filter((i) => i.startsWith('.') && !/^\.\/|^\.\.\/(errors|warnings|validate)\.js$/.test(i))
        .map((i) => `${f} -> ${i}`),
    );
    expect(offenders).toEqual([]);
    const lazy = sources('src/model').flatMap((f) => lazyImports(f).filter((i) => !/^\.\.\/(dose|dicom)\//.test(i)).map((i) => `${f} -> ${i}`));
    expect(lazy).toEqual([]);
  });

  it('fallback/ never imports src/gpu, and nothing imports src/cli', () => {
    expect(sources('fallback').flatMap((f) => imports(f).filter((i) => i.includes('/gpu/')))).toEqual([]);
    const cliImporters = libraryFiles.filter((f) => !f.startsWith('src/cli/') && imports(f).some((i) => i.includes('/cli/') || i.startsWith('./cli/')));
    expect(cliImporters).toEqual([]);
  });

  it('node: modules are imported lazily (import()) outside src/cli, so the library loads in a browser', () => {
    const offenders = libraryFiles
      .filter((f) => !f.startsWith('src/cli/'))
      .filter((f) => /^\s*import\s[^(]*from\s+['"]node:/m.test(readFileSync(join(ROOT, f), 'utf8')))
      .map((f) => relative(ROOT, join(ROOT, f)));
    expect(offenders).toEqual([]);
  });

  it('the version constant matches package.json', async () => {
    const { VERSION } = await import('../../src/version.js');
    expect(VERSION).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});
