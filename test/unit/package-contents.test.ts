// SPDX-License-Identifier: BSD-3-Clause
// What `npm pack` puts in the tarball: the build's incremental state stays out, and every source
// map it ships carries the source it maps to (the .ts files themselves are not shipped), so a
// debugger in a consumer's project shows dosekit's code instead of a missing file.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

interface PackedFile {
  readonly path: string;
}

function packedFiles(): string[] {
  // --ignore-scripts: the build is `npm test`'s first step; `prepare` would run it again.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out) as { files: PackedFile[] }[])[0].files.map((f) => f.path);
}

describe('the packed tarball', () => {
  const files = packedFiles();

  it('holds the build, the CLI and the shaders, and no incremental build state', () => {
    expect(files).toContain('dist/src/index.js');
    expect(files).toContain('dist/src/index.d.ts');
    expect(files).toContain('bin/dosekit.js');
    expect(files.some((f) => f.startsWith('shaders/'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.tsbuildinfo'))).toEqual([]);
    // No TypeScript sources: the maps carry them instead.
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('every source map carries the content of each source it names', () => {
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(50);
    const missing: string[] = [];
    for (const map of maps) {
      const parsed = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      parsed.sources.forEach((source, k) => {
        if (typeof parsed.sourcesContent?.[k] !== 'string' || parsed.sourcesContent[k]!.length === 0) missing.push(`${map}: ${source}`);
      });
    }
    expect(missing).toEqual([]);
  });
});
