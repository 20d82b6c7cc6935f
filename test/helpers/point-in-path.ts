// SPDX-License-Identifier: BSD-3-Clause
// The crossing-number test, point by point, exactly as matplotlib's point_in_path_impl states it:
// an independent reference for the scanline rasteriser.

/** Inside test of one point against one implicitly closed ring (x, y pairs). */
export function crossingTest(tx: number, ty: number, ring: Float64Array): boolean {
  const n = ring.length >> 1;
  let vtx0 = ring[0];
  let vty0 = ring[1];
  let yflag0 = vty0 >= ty;
  let inside = false;
  for (let k = 1; k <= n; k += 1) {
    const idx = k % n;
    const vtx1 = ring[idx * 2];
    const vty1 = ring[idx * 2 + 1];
    const yflag1 = vty1 >= ty;
    if (yflag0 !== yflag1) {
      if (((vty1 - ty) * (vtx0 - vtx1) >= (vtx1 - tx) * (vty0 - vty1)) === yflag1) inside = !inside;
    }
    yflag0 = yflag1;
    vtx0 = vtx1;
    vty0 = vty1;
  }
  return inside;
}

/** Brute-force mask over a whole lattice: XOR of per-ring crossing tests. mask[j * nx + i]. */
export function bruteForceMask(xs: Float64Array, ys: Float64Array, rings: readonly Float64Array[]): Uint8Array {
  const mask = new Uint8Array(xs.length * ys.length);
  for (let j = 0; j < ys.length; j += 1) {
    for (let i = 0; i < xs.length; i += 1) {
      let v = 0;
      for (const ring of rings) if (crossingTest(xs[i], ys[j], ring)) v ^= 1;
      mask[j * xs.length + i] = v;
    }
  }
  return mask;
}

/** mulberry32: a small seeded PRNG for reproducible random tests. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
