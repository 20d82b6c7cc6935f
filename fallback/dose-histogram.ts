// SPDX-License-Identifier: BSD-3-Clause
import type { DoseBinning, DosePlaneInput } from '../src/kernels/dose-histogram.js';
import type { LayerMask } from '../src/kernels/polygon-mask.js';

/**
 * CPU dose histogram (see the contract in src/kernels/dose-histogram.ts). The bin index is
 * floor(cGy / binWidthCGy) with the top edge folded into the last bin, matching
 * numpy.histogram(values, bins=binCount, range=(0, top)) for 1 cGy bins bit for bit.
 */
export function doseHistogram(plane: DosePlaneInput, mask: LayerMask, binning: DoseBinning, counts: Float64Array): number {
  const { values, columns, transposed } = plane;
  const { doseGridScaling, unitsToCGy, binWidthCGy, binCount } = binning;
  const top = binCount * binWidthCGy;
  const width = mask.colEnd - mask.colStart;
  const inside = mask.inside;
  let counted = 0;
  for (let j = mask.rowStart; j < mask.rowEnd; j += 1) {
    const maskRow = (j - mask.rowStart) * width - mask.colStart;
    for (let i = mask.colStart; i < mask.colEnd; i += 1) {
      if (inside[maskRow + i] === 0) continue;
      const index = transposed ? i * columns + j : j * columns + i;
      const cGy = values[index] * doseGridScaling * unitsToCGy;
      if (!(cGy >= 0 && cGy <= top)) continue;
      let bin = binWidthCGy === 1 ? Math.floor(cGy) : Math.floor(cGy / binWidthCGy);
      if (bin >= binCount) bin = binCount - 1;
      counts[bin] += 1;
      counted += 1;
    }
  }
  return counted;
}
