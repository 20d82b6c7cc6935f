// SPDX-License-Identifier: BSD-3-Clause
import type { Image } from '../model/image.js';

/** RGBA pixels of a rendered image; `data` can back a browser ImageData directly. */
export interface RenderedImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/** The DICOM linear VOI LUT (PS3.3 C.11.2.1.2) mapped to 0-255. */
export function lutValue(values: ArrayLike<number>, window: number, level: number): Float64Array {
  const out = new Float64Array(values.length);
  const low = level - 0.5 - (window - 1) / 2;
  const high = level - 0.5 + (window - 1) / 2;
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i];
    out[i] = v <= low ? 0 : v > high ? 255 : ((v - (level - 0.5)) / (window - 1) + 0.5) * 255;
  }
  return out;
}

/** [window, level]: the file's first WindowWidth/WindowCenter, else derived from the stored range as dicompyler-core does. */
export function defaultWindowLevel(image: Image): [number, number] {
  if (image.window) return [image.window[0], image.window[1]];
  let max = 0;
  let min = 0;
  for (let i = 0; i < image.pixels.length; i += 1) {
    const v = image.pixels[i];
    if (v > max) max = v;
    if (v < min) min = v;
  }
  const window = Math.trunc(max - min);
  return [window, Math.trunc(window / 2 - Math.abs(min))];
}

/** Renders one frame: rescale slope/intercept, window/level, nearest-neighbour resize. */
export function renderImage(image: Image, window: number, level: number, options: { size?: readonly [number, number]; frame?: number }): RenderedImage {
  const { rows, columns, frames } = image.geometry;
  const frame = Math.max(0, Math.min(frames - 1, Math.trunc(options.frame ?? 0)));
  const width = Math.max(1, Math.trunc(options.size?.[0] ?? columns));
  const height = Math.max(1, Math.trunc(options.size?.[1] ?? rows));
  const data = new Uint8ClampedArray(width * height * 4);
  const low = level - 0.5 - (window - 1) / 2;
  const high = level - 0.5 + (window - 1) / 2;
  const planeOffset = frame * rows * columns * image.samplesPerPixel;
  for (let y = 0; y < height; y += 1) {
    const row = Math.min(rows - 1, Math.floor(((y + 0.5) * rows) / height));
    for (let x = 0; x < width; x += 1) {
      const column = Math.min(columns - 1, Math.floor(((x + 0.5) * columns) / width));
      const stored = image.pixels[planeOffset + (row * columns + column) * image.samplesPerPixel];
      const v = stored * image.rescaleSlope + image.rescaleIntercept;
      const grey = v <= low ? 0 : v > high ? 255 : ((v - (level - 0.5)) / (window - 1) + 0.5) * 255;
      const o = (y * width + x) * 4;
      const g = image.photometricInterpretation === 'MONOCHROME1' ? 255 - grey : grey;
      data[o] = g;
      data[o + 1] = g;
      data[o + 2] = g;
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}
