// SPDX-License-Identifier: BSD-3-Clause
import { type LayerCrossings, polygonCrossings } from '../../fallback/polygon-mask.js';
import type { PlaneHistogramJob } from '../backend/compute-backend.js';

/** Marks a layer that only counts samples (no histogram target). */
export const NO_TARGET = 0xffffffff;

/** The polygon-mask kernel's input for a batch: per window row, its toggles and mask words. */
export interface CrossingRows {
  /** Per row: first toggle, one past the last, first mask word, window width. */
  readonly rows: Uint32Array;
  /** Window columns where the parity flips, ascending within each row. */
  readonly toggles: Uint32Array;
  readonly maskWords: number;
  readonly rowCount: number;
  readonly layerCount: number;
}

/** What the histogram kernel needs to know of each row, besides its mask. */
export type RowVisitor = (job: PlaneHistogramJob, jobIndex: number, target: number, layerIndex: number, crossings: LayerCrossings, windowRow: number, firstMaskWord: number) => void;

/**
 * Finds every layer's exact crossings on the CPU (float64, matplotlib's rule) and lays them out
 * row by row for the GPU; `visit` adds the histogram kernel's per-row data in the same order.
 */
export function crossingRows(jobs: readonly PlaneHistogramJob[], visit: RowVisitor): CrossingRows {
  const rows: number[] = [];
  const toggles: number[] = [];
  let maskWords = 0;
  let layerIndex = 0;
  jobs.forEach((job, jobIndex) => {
    for (const layer of job.layers) {
      const c = polygonCrossings(job.lattice, { rings: layer.rings });
      const width = c.colEnd - c.colStart;
      const stride = width + 1;
      for (let r = 0; r < c.rowEnd - c.rowStart; r += 1) {
        const first = toggles.length;
        for (let col = 0; col < width; col += 1) if (c.toggles[r * stride + col] !== 0) toggles.push(col);
        rows.push(first, toggles.length, maskWords, width);
        visit(job, jobIndex, layer.target >= 0 ? layer.target : NO_TARGET, layerIndex, c, r, maskWords);
        maskWords += Math.ceil(width / 32);
      }
      layerIndex += 1;
    }
  });
  return { rows: Uint32Array.from(rows), toggles: Uint32Array.from(toggles), maskWords, rowCount: rows.length / 4, layerCount: layerIndex };
}

/** The parts laid end to end in one typed array of their kind. */
export function concatParts<T extends Uint32Array | Float32Array>(parts: readonly T[], make: (length: number) => T): T {
  const out = make(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
