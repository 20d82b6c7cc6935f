// SPDX-License-Identifier: BSD-3-Clause
// A Boolean combination of operand regions (leaves numbered 0..n-1), evaluated on masks.

/** Union, intersection and difference of leaves. */
export type BooleanTree =
  | { readonly op: 'leaf'; readonly leaf: number }
  | { readonly op: 'or' | 'and' | 'andNot'; readonly a: BooleanTree; readonly b: BooleanTree };

/**
 * Evaluates the tree sample by sample: `leafMask(k)` is leaf k's 0/1 mask over the same samples
 * (null where the leaf has no sample inside). Returns a fresh 0/1 mask of `size` samples.
 */
export function evaluateMasks(tree: BooleanTree, size: number, leafMask: (leaf: number) => Uint8Array | null): Uint8Array {
  if (tree.op === 'leaf') {
    const mask = leafMask(tree.leaf);
    return mask ? Uint8Array.from(mask) : new Uint8Array(size);
  }
  const a = evaluateMasks(tree.a, size, leafMask);
  const b = evaluateMasks(tree.b, size, leafMask);
  if (tree.op === 'or') for (let k = 0; k < size; k += 1) a[k] |= b[k];
  else if (tree.op === 'and') for (let k = 0; k < size; k += 1) a[k] &= b[k];
  else for (let k = 0; k < size; k += 1) a[k] &= b[k] ^ 1;
  return a;
}

/** The leaves the tree reads. */
export function treeLeaves(tree: BooleanTree, into: Set<number> = new Set()): Set<number> {
  if (tree.op === 'leaf') into.add(tree.leaf);
  else {
    treeLeaves(tree.a, into);
    treeLeaves(tree.b, into);
  }
  return into;
}

/** The tree's value for one point, given whether it lies inside each leaf. */
export function evaluateBits(tree: BooleanTree, inside: (leaf: number) => boolean): boolean {
  if (tree.op === 'leaf') return inside(tree.leaf);
  const a = evaluateBits(tree.a, inside);
  const b = evaluateBits(tree.b, inside);
  return tree.op === 'or' ? a || b : tree.op === 'and' ? a && b : a && !b;
}
