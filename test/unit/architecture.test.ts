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


/** The library's files in import cycles (type-only and import() edges count), one sorted list per cycle. */
function importCycles(files: readonly string[]): string[][] {
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    for (const specifier of imports(file)) {
      if (!specifier.startsWith('.')) continue;
      const base = join(file, '..', specifier).replace(/\.js$/, '');
      for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) if (known.has(candidate)) targets.push(candidate);
    }
    edges.set(file, targets);
  }
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const file of [...files].sort()) if (!index.has(file)) visit(file);
  return cycles;
}

const libraryFiles = [...sources('src'), ...sources('fallback')];

describe('architecture', () => {
  it('no import cycle beyond the two being taken apart (model/dicom/dose, and the DVH class with its text)', () => {
    // A ratchet: these two are known and shrink; any other cycle, or either one growing, fails.
    const allowed = [
      ['src/dicom/', 'src/model/', 'src/dose/'],
      ['src/dvh/dvh.ts', 'src/dvh/describe.ts', 'src/dvh/statistics.ts', 'src/dvh/export.ts', 'src/dvh/dvh-gamma.ts'],
    ];
    const fits = (cycle: string[]) =>
      (cycle.length <= 14 && cycle.every((f) => allowed[0].some((folder) => f.startsWith(folder)))) || cycle.every((f) => allowed[1].includes(f));
    expect(importCycles(libraryFiles).filter((cycle) => !fits(cycle))).toEqual([]);
  });

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
