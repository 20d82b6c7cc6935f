// SPDX-License-Identifier: BSD-3-Clause
import type { GridGeometry } from './grid-geometry.js';
import type { PixelArray } from './dose-grid.js';

/** A (CT, MR, PT) image: one file, one or more frames. Pixel values are stored values, before rescale. */
export interface Image {
  readonly sopInstanceUid: string;
  readonly modality: string;
  readonly geometry: GridGeometry;
  readonly pixels: PixelArray;
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string;
  readonly rescaleIntercept: number;
  readonly rescaleSlope: number;
  /** Default window [width, level] from the file, when present. */
  readonly window?: readonly [number, number];
  readonly patientPosition?: string;
  readonly sliceThicknessMm?: number;
  readonly source: string;
}
