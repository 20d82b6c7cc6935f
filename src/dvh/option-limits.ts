// SPDX-License-Identifier: BSD-3-Clause
// The accepted ranges of the options that can inflate a DVH calculation's work. Each bound is
// far beyond clinical use and far below where the work explodes; sizes that also depend on the
// inputs (sample lattices, margin grids) are checked against the memory ceiling (limits.ts).

/**
 * Largest slab thickness (thicknessMm), mm. Contour planes in radiotherapy are 1 to 5 mm apart,
 * rarely 10 mm; a slab thicker than 50 mm is no longer a contour's plane (with 1e9 mm the slabs
 * reached far outside the dose grid and the statistics were nonsense).
 */
export const MAX_THICKNESS_MM = 50;

/**
 * Largest end cap (endCaps as a number of mm), mm: like the thickness, at most a few plane
 * spacings in practice; 50 mm bounds the sub-slabs sampled through a cap.
 */
export const MAX_END_CAP_MM = 50;

/**
 * Most sub-planes per slab (interpolationSegmentsBetweenPlanes). dicompyler-core users take 1
 * to 3; 100 splits a 3 mm slab into 0.03 mm sub-slabs, finer than any dose grid resolves.
 */
export const MAX_INTERPOLATION_SEGMENTS = 100;

/**
 * Most in-plane samples per dose voxel and axis from interpolationResolutionMm (round(pixel
 * spacing / resolution)): 64, i.e. a resolution of at least 1/64 of the pixel spacing
 * (dicompyler-core's documentation asks for spacing / 2^n).
 */
export const MAX_INTERPOLATION_FACTOR = 64;

/** Most in-plane and through-slab samples per voxel and slab from `supersampling`. */
export const MAX_SUPERSAMPLING_FACTOR = 63;

/**
 * Largest margin of expand() / shrink() along any axis, mm, and largest sum of the margins
 * nested inside one another (expand(expand(A, 60), 60) is a 120 mm margin). PTV and ring
 * margins are at most a few tens of mm; 100 mm of the example Heart takes 15 to 40 s on one
 * core and 0.4 GB (1000 mm ran for minutes in gigabytes). Each margin's fields are also checked
 * against the memory ceiling before they are made (roi-margin.ts).
 */
export const MAX_MARGIN_MM = 100;

/** Deepest nesting of parentheses and expand( / shrink( in an ROI expression. */
export const MAX_ROI_EXPRESSION_DEPTH = 100;

/** Longest ROI expression (or `Name = expression` definition), characters. */
export const MAX_ROI_EXPRESSION_LENGTH = 4096;
