// SPDX-License-Identifier: BSD-3-Clause
// Structure algebra on one sample lattice (src/dvh/lattice-algebra.ts, src/dvh/boolean-tree.ts),
// sample by sample against the point-by-point crossing test of test/helpers/point-in-path.ts:
// the rings written for a mask select exactly its samples, and a Boolean combination of random
// polygons holds exactly where the combination of their inside tests does.
import { describe, expect, it } from 'vitest';
import { type BooleanTree, evaluateBits, evaluateMasks, treeLeaves } from '../../src/dvh/boolean-tree.js';
import { combineMasks, combineOnLattice, maskRings } from '../../src/dvh/lattice-algebra.js';
import { bruteForceMask, mulberry32 } from '../helpers/point-in-path.js';

function axis(n: number, start: number, step: number): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => start + k * step);
}

/** A random lattice: 1 to 24 samples per axis, steps of either sign. */
function randomLattice(random: () => number) {
  const nx = 1 + Math.floor(random() * 24);
  const ny = 1 + Math.floor(random() * 24);
  const sx = (random() < 0.3 ? -1 : 1) * (0.3 + random() * 2);
  const sy = (random() < 0.3 ? -1 : 1) * (0.3 + random() * 2);
  return { xs: axis(nx, random() * 10 - 5, sx), ys: axis(ny, random() * 10 - 5, sy) };
}

/** The window's mask placed in the whole lattice (row-major, ys.length x xs.length). */
function embed(lattice: { xs: Float64Array; ys: Float64Array }, window: { rowStart: number; colStart: number; width: number; height: number }, inside: Uint8Array): Uint8Array {
  const full = new Uint8Array(lattice.xs.length * lattice.ys.length);
  for (let r = 0; r < window.height; r += 1) {
    for (let c = 0; c < window.width; c += 1) full[(window.rowStart + r) * lattice.xs.length + window.colStart + c] = inside[r * window.width + c];
  }
  return full;
}

/** A random polygon over the lattice's extent (sometimes a star that crosses itself). */
function randomRing(random: () => number, lattice: { xs: Float64Array; ys: Float64Array }): Float64Array {
  const [x0, x1] = [lattice.xs[0], lattice.xs[lattice.xs.length - 1]].sort((a, b) => a - b);
  const [y0, y1] = [lattice.ys[0], lattice.ys[lattice.ys.length - 1]].sort((a, b) => a - b);
  const cx = x0 + random() * (x1 - x0 + 1);
  const cy = y0 + random() * (y1 - y0 + 1);
  const radius = 0.5 + random() * Math.max(x1 - x0, y1 - y0, 1);
  const points = 3 + Math.floor(random() * 12);
  const ring = new Float64Array(points * 2);
  for (let k = 0; k < points; k += 1) {
    const angle = (2 * Math.PI * k) / points + random() * 0.5;
    const r = radius * (0.3 + random() * 0.7);
    ring[2 * k] = cx + r * Math.cos(angle);
    ring[2 * k + 1] = cy + r * Math.sin(angle);
  }
  return ring;
}

function randomTree(random: () => number, leaves: number, depth = 0): BooleanTree {
  if (depth >= 3 || random() < 0.35) return { op: 'leaf', leaf: Math.floor(random() * leaves) };
  const ops = ['or', 'and', 'andNot'] as const;
  return { op: ops[Math.floor(random() * 3)]!, a: randomTree(random, leaves, depth + 1), b: randomTree(random, leaves, depth + 1) };
}

describe('maskRings', () => {
  it('the rings of a mask select exactly its samples, never overlapping, on increasing, decreasing and one-sample axes', () => {
    const random = mulberry32(20261207);
    let rectangles = 0;
    for (let trial = 0; trial < 300; trial += 1) {
      const lattice = randomLattice(random);
      const nx = lattice.xs.length;
      const ny = lattice.ys.length;
      const colStart = Math.floor(random() * nx);
      const rowStart = Math.floor(random() * ny);
      const width = 1 + Math.floor(random() * (nx - colStart));
      const height = 1 + Math.floor(random() * (ny - rowStart));
      const density = random();
      const inside = Uint8Array.from({ length: width * height }, () => (random() < density ? 1 : 0));
      const window = { rowStart, colStart, width, height };
      const rings = maskRings(lattice, window, inside);
      const expected = embed(lattice, window, inside);
      expect(bruteForceMask(lattice.xs, lattice.ys, rings), `trial ${trial}`).toEqual(expected);
      // Each ring alone selects a disjoint part: their counts add up to the mask's.
      const separate = rings.reduce((sum, ring) => sum + bruteForceMask(lattice.xs, lattice.ys, [ring]).reduce((a, b) => a + b, 0), 0);
      expect(separate).toBe(inside.reduce((a, b) => a + b, 0));
      rectangles += rings.length;
    }
    expect(rectangles).toBeGreaterThan(300);
  });

  it('a run repeated on the following rows is one rectangle; a run that changes starts another', () => {
    const lattice = { xs: axis(5, 0, 1), ys: axis(4, 0, 1) };
    const block = Uint8Array.from([0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0]);
    const rings = maskRings(lattice, { rowStart: 0, colStart: 1, width: 4, height: 3 }, block);
    // Columns 2..3 of the lattice, rows 0..2: edges half-way between samples.
    expect(rings.map((r) => [...r])).toEqual([[1.5, -0.5, 3.5, -0.5, 3.5, 2.5, 1.5, 2.5]]);
    const stairs = Uint8Array.from([1, 1, 0, 0, 1, 1]);
    expect(maskRings(lattice, { rowStart: 1, colStart: 0, width: 2, height: 3 }, stairs)).toHaveLength(2);
    expect(maskRings(lattice, { rowStart: 0, colStart: 0, width: 2, height: 2 }, new Uint8Array(4))).toEqual([]);
  });
});

describe('combineMasks and combineOnLattice', () => {
  it('a random Boolean combination of random polygons holds exactly where the combination of their inside tests does', () => {
    const random = mulberry32(7_2026);
    let nonEmpty = 0;
    for (let trial = 0; trial < 250; trial += 1) {
      const lattice = randomLattice(random);
      const leafCount = 1 + Math.floor(random() * 3);
      // Some leaves are absent on this plane (null) or have no rings.
      const leafRings = Array.from({ length: leafCount }, () => {
        const roll = random();
        if (roll < 0.1) return null;
        if (roll < 0.15) return [];
        return Array.from({ length: 1 + Math.floor(random() * 2) }, () => randomRing(random, lattice));
      });
      const tree = randomTree(random, leafCount);
      const leafMasks = leafRings.map((rings) => (rings ? bruteForceMask(lattice.xs, lattice.ys, rings) : new Uint8Array(lattice.xs.length * lattice.ys.length)));
      const expected = Uint8Array.from(leafMasks[0]!, (_, k) => (evaluateBits(tree, (leaf) => leafMasks[leaf]![k] === 1) ? 1 : 0));
      const count = expected.reduce((a, b) => a + b, 0);
      const operandSamples = leafMasks.reduce((sum, m) => sum + m.reduce((a, b) => a + b, 0), 0);

      const mask = combineMasks(lattice, leafRings, tree);
      expect(mask.count, `trial ${trial}`).toBe(count);
      expect(mask.operandSamples).toBe(operandSamples);
      expect(mask.inside.length).toBe(mask.width * mask.height);
      if (operandSamples > 0) expect(embed(lattice, mask, mask.inside), `trial ${trial}`).toEqual(expected);
      else expect([mask.width, mask.height, mask.count]).toEqual([0, 0, 0]);

      const layer = combineOnLattice(lattice, leafRings, tree);
      expect(layer.count).toBe(count);
      expect(layer.operandSamples).toBe(operandSamples);
      expect(bruteForceMask(lattice.xs, lattice.ys, layer.rings), `trial ${trial}`).toEqual(expected);
      if (count === 0) expect(layer.rings).toEqual([]);
      else nonEmpty += 1;
    }
    expect(nonEmpty).toBeGreaterThan(100);
  });

  it('A - B and B - A differ, and the window spans operands that do not overlap', () => {
    const lattice = { xs: axis(12, 0, 1), ys: axis(6, 0, 1) };
    const square = (x0: number, x1: number) => Float64Array.of(x0, 0.5, x1, 0.5, x1, 4.5, x0, 4.5);
    const leafRings = [[square(0.5, 4.5)], [square(2.5, 10.5)]];
    const aMinusB = combineMasks(lattice, leafRings, { op: 'andNot', a: { op: 'leaf', leaf: 0 }, b: { op: 'leaf', leaf: 1 } });
    const bMinusA = combineMasks(lattice, leafRings, { op: 'andNot', a: { op: 'leaf', leaf: 1 }, b: { op: 'leaf', leaf: 0 } });
    // Columns 1-2 and 5-10 of rows 1-4.
    expect([aMinusB.count, bMinusA.count]).toEqual([8, 24]);
    expect([aMinusB.colStart, aMinusB.width, aMinusB.rowStart, aMinusB.height]).toEqual([1, 10, 1, 4]);
  });
});

describe('Boolean trees', () => {
  it('evaluateMasks agrees with evaluateBits sample by sample and leaves its inputs alone; treeLeaves lists the leaves read', () => {
    const random = mulberry32(99);
    for (let trial = 0; trial < 200; trial += 1) {
      const size = 1 + Math.floor(random() * 50);
      const leaves = Array.from({ length: 4 }, () => (random() < 0.2 ? null : Uint8Array.from({ length: size }, () => (random() < 0.5 ? 1 : 0))));
      const copies = leaves.map((m) => (m ? Uint8Array.from(m) : null));
      const tree = randomTree(random, 4);
      const result = evaluateMasks(tree, size, (leaf) => leaves[leaf]!);
      for (let k = 0; k < size; k += 1) expect(result[k]).toBe(evaluateBits(tree, (leaf) => leaves[leaf]?.[k] === 1) ? 1 : 0);
      expect(leaves).toEqual(copies);
      const read = new Set<number>();
      const walk = (t: BooleanTree): void => (t.op === 'leaf' ? void read.add(t.leaf) : (walk(t.a), walk(t.b)));
      walk(tree);
      expect(treeLeaves(tree)).toEqual(read);
    }
  });
});
