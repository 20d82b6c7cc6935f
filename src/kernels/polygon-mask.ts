// SPDX-License-Identifier: BSD-3-Clause
// Contract of the polygon-mask kernel: which samples of a rectilinear lattice lie inside the
// even-odd region of a set of closed rings. Implemented by fallback/polygon-mask.ts (CPU) and,
// with identical results, by the WebGPU backend.

/**
 * A rectilinear sample lattice in patient mm: sample (i, j) sits at (xs[i], ys[j]).
 * Either axis may decrease (prone, feet-first and decubitus grids).
 */
export interface SampleLattice {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
}

/** The rings of one layer (one ROI on one plane): x, y pairs per ring, implicitly closed. */
export interface MaskLayer {
  readonly rings: readonly Float64Array[];
}

/**
 * A layer's mask, restricted to the window of lattice rows and columns its rings can touch.
 * `inside[(j - rowStart) * (colEnd - colStart) + (i - colStart)]` is 1 inside, 0 outside.
 */
export interface LayerMask {
  readonly rowStart: number;
  readonly rowEnd: number;
  readonly colStart: number;
  readonly colEnd: number;
  readonly inside: Uint8Array;
  /** Number of samples inside. */
  readonly count: number;
}

/**
 * The inside test, point by point, is matplotlib's crossing-number rule (Path.contains_points
 * with radius 0, which dicompyler-core uses): for every edge (x0, y0) -> (x1, y1) with
 * (y0 >= ty) != (y1 >= ty), the sample toggles when
 * ((y1 - ty) * (x0 - x1) >= (x1 - tx) * (y0 - y1)) == (y1 >= ty), evaluated in float64.
 * Toggles are summed over every edge of every ring of the layer (even-odd rule), which equals
 * the XOR of per-ring masks. Samples exactly on an edge therefore follow that rule bit for bit.
 */
export type PolygonMaskKernel = (lattice: SampleLattice, layer: MaskLayer) => LayerMask;
