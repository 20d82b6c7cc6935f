// SPDX-License-Identifier: BSD-3-Clause
// The fuzz suite's families, for test/fuzz/*.test.ts (CI-sized) and bench/fuzz-long.mjs (long).
import { headerCases } from './fam-headers.mjs';
import { pixelCases } from './fam-pixels.mjs';
import { geometryCases } from './fam-geometry.mjs';
import { optionCases } from './fam-options.mjs';
import { fileCases } from './fam-files.mjs';
import { cleanupShards, prepareShards, shardCases } from './fam-shards.mjs';
import { suiteCases, suiteSeed } from './prng.mjs';

export { runCase, LIMITS } from './runner.mjs';
export { suiteCases, suiteSeed, DEFAULT_SEED } from './prng.mjs';

/** family -> (seed, count) -> cases; `ci` is the number of random cases per family in CI. */
export const FAMILIES = {
  headers: { make: headerCases, ci: 12 },
  pixels: { make: pixelCases, ci: 12 },
  geometry: { make: geometryCases, ci: 8 },
  options: { make: optionCases, ci: 8 },
  files: { make: fileCases, ci: 4 },
  shards: { make: shardCases, ci: 6, prepare: prepareShards, cleanup: cleanupShards },
};

/** Work a family needs once before its cases (e.g. shard outputs to damage). */
export async function prepareFamily(family) {
  await FAMILIES[family].prepare?.();
}

/** Removes what prepareFamily made. */
export async function cleanupFamily(family) {
  await FAMILIES[family].cleanup?.();
}

/** The cases of `family` for this run (FUZZ_SEED, FUZZ_CASES, FUZZ_ONLY applied). */
export function familyCases(family, { seed = suiteSeed(), count, only = process.env.FUZZ_ONLY } = {}) {
  const entry = FAMILIES[family];
  const n = count ?? suiteCases(entry.ci);
  // Each case remembers the random-case count it was made with, for the rerun line of a failure.
  const cases = entry.make(seed, n).map((c) => ({ ...c, count: n }));
  return only ? cases.filter((c) => only.split(',').includes(c.id)) : cases;
}
