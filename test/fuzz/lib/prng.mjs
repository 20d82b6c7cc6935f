// SPDX-License-Identifier: BSD-3-Clause
// The fuzz suite's seeded PRNG (mulberry32) and the seed/case-count settings. Every case is built
// from its own generator, seeded from (suite seed, family, case index), so one case can be rebuilt
// alone: FUZZ_SEED=<seed> FUZZ_ONLY=<case id> reruns exactly that case.

/** mulberry32: a 32-bit state, period 2^32; good enough to pick mutations. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return makeRng(next);
}

function makeRng(next) {
  const rng = {
    next,
    /** Integer in [lo, hi] (inclusive). */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    /** Float in [lo, hi). */
    float: (lo, hi) => lo + next() * (hi - lo),
    pick: (list) => list[Math.floor(next() * list.length)],
    bool: (p = 0.5) => next() < p,
    /** k distinct indices of [0, n), in ascending order. */
    sample: (n, k) => {
      const all = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < Math.min(k, n); i += 1) {
        const j = i + Math.floor(next() * (n - i));
        [all[i], all[j]] = [all[j], all[i]];
      }
      return all.slice(0, Math.min(k, n)).sort((x, y) => x - y);
    },
  };
  return rng;
}

/** A 32-bit hash of a string (FNV-1a), to derive per-case seeds. */
export function hash32(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The generator of case `index` of `family` under suite seed `seed`. */
export function caseRng(seed, family, index) {
  return mulberry32(hash32(`${seed >>> 0}:${family}:${index}`));
}

/** The suite seed: FUZZ_SEED when set (decimal or 0x hex), else the fixed CI seed. */
export const DEFAULT_SEED = 20261207;
export function suiteSeed(env = process.env) {
  const text = env.FUZZ_SEED;
  if (text === undefined || text === '') return DEFAULT_SEED;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`FUZZ_SEED must be an integer in [0, 2^32): ${text}`);
  return value;
}

/** Cases per random family: FUZZ_CASES when set, else `fallback`. */
export function suiteCases(fallback, env = process.env) {
  const text = env.FUZZ_CASES;
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`FUZZ_CASES must be a positive integer: ${text}`);
  return value;
}
