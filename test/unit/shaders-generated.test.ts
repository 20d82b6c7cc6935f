// SPDX-License-Identifier: BSD-3-Clause
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { foldDispatch } from '../../src/gpu/dispatch.js';

describe('shaders', () => {
  it('src/gpu/shaders.generated.ts matches shaders/*.wgsl (run `npm run gen-shaders` after editing a shader)', () => {
    const result = spawnSync(process.execPath, [`${ROOT}scripts/gen-shaders.mjs`, '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('foldDispatch covers every item within the per-dimension limit', () => {
    for (const [items, size, limit] of [[1, 64, 65535], [64, 64, 65535], [65, 64, 65535], [65535 * 64 + 1, 64, 65535], [1000, 64, 3]] as const) {
      const fold = foldDispatch(items, size, limit);
      expect(fold.x).toBeLessThanOrEqual(limit);
      expect(fold.x * fold.y * size).toBeGreaterThanOrEqual(items);
      expect(fold.itemsPerSlice).toBe(fold.x * size);
    }
  });
});
