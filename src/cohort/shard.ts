// SPDX-License-Identifier: BSD-3-Clause
// shardOf: one of N contiguous blocks of a cohort's entries, for running a cohort in pieces.
import { requireArgument } from '../errors.js';

/**
 * The half-open range [start, end) of shard `index` of `count` over `total` items:
 * [floor(index x total / count), floor((index + 1) x total / count)). The ranges of shards
 * 0..count-1 are contiguous, in order, cover every item once and differ in size by at most one.
 * @throws DosekitError E_INVALID_ARGUMENT unless 0 <= index < count and total >= 0 are integers.
 */
export function shardRange(total: number, index: number, count: number): { readonly start: number; readonly end: number } {
  requireArgument(Number.isInteger(total) && total >= 0, `the number of items must be a whole number >= 0 (got ${total}).`);
  requireArgument(Number.isInteger(count) && count >= 1, `the shard count must be a whole number >= 1 (got ${count}).`);
  requireArgument(Number.isInteger(index) && index >= 0 && index < count, `the shard index must be a whole number from 0 to ${count - 1} (got ${index}).`);
  return Object.freeze({ start: Math.floor((index * total) / count), end: Math.floor(((index + 1) * total) / count) });
}

/**
 * Shard `index` (0-based) of `count` of `entries`: a contiguous block (see {@link shardRange}),
 * so that concatenating the shards 0..count-1 in order gives `entries` exactly.
 * @throws DosekitError E_INVALID_ARGUMENT unless 0 <= index < count are integers.
 */
export function shardOf<T>(entries: readonly T[], index: number, count: number): readonly T[] {
  requireArgument(Array.isArray(entries), `entries must be an array (got ${entries === null ? 'null' : typeof entries}).`, { argument: 'entries' });
  const { start, end } = shardRange(entries.length, index, count);
  return Object.freeze(entries.slice(start, end));
}
