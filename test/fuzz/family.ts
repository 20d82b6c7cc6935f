// SPDX-License-Identifier: BSD-3-Clause
// One vitest `describe` per fuzz family: each case a test, run against the built CLI (`npm run
// build` first) in a child process with its own folder, time limit and peak-memory check. The
// cases of a family run concurrently (vitest's maxConcurrency): each is a separate process, its
// time bound is CPU time, so running them side by side changes no outcome.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LIMITS, cleanupFamily, familyCases, prepareFamily, runCase, suiteSeed } from './lib/index.mjs';

export function describeFamily(family: string, title: string): void {
  const cases = familyCases(family);
  describe.concurrent(`fuzz ${family}: ${title} (seed ${suiteSeed()})`, () => {
    beforeAll(async () => {
      await prepareFamily(family);
    }, 180_000);
    afterAll(async () => {
      await cleanupFamily(family);
    });
    for (const kase of cases) {
      it(kase.id, async ({ expect }) => {
        const { failures } = await runCase(kase);
        expect(failures.join('\n\n')).toBe('');
      }, LIMITS.timeMs * LIMITS.wallFactor + 30_000);
    }
  });
}
