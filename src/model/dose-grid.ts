// SPDX-License-Identifier: BSD-3-Clause
import type { GridGeometry } from './grid-geometry.js';

/** Stored pixel values of an RT Dose (or image), frame-major, native byte order. */
export type PixelArray = Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array | Uint8Array;

/** DoseUnits (3004,0002). */
export type DoseUnits = 'GY' | 'CGY' | 'RELATIVE' | (string & {});

/** Descriptive attributes of an RT Dose that travel with its grid. */
export interface DoseGridInfo {
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid?: string;
  readonly studyInstanceUid?: string;
  readonly frameOfReferenceUid?: string;
  readonly doseUnits: DoseUnits;
  readonly doseType?: string;
  readonly summationType?: string;
  readonly comment?: string;
  readonly referencedPlanUid?: string;
  readonly referencedStructureSetUid?: string;
  /** The file (path or label) it was read from. */
  readonly source: string;
}

/**
 * A 3-D dose grid: geometry plus stored pixel values and DoseGridScaling.
 * The stored integers are kept (no float copy) and scaled on demand, so a 300 MB RT Dose costs
 * 300 MB; `doseGy()` materialises one Float32Array in Gy when asked and caches it.
 */
export class DoseGrid {
  readonly geometry: GridGeometry;
  /** Stored pixel values, frame-major: index (frame * rows + row) * columns + column. */
  readonly pixels: PixelArray;
  /** DoseGridScaling: stored value x scaling = dose in `info.doseUnits`. */
  readonly doseGridScaling: number;
  readonly info: DoseGridInfo;
  #doseGy: Float32Array | undefined;
  #maxPixel: number | undefined;

  constructor(geometry: GridGeometry, pixels: PixelArray, doseGridScaling: number, info: DoseGridInfo) {
    this.geometry = geometry;
    this.pixels = pixels;
    this.doseGridScaling = doseGridScaling;
    this.info = info;
    Object.freeze(this);
  }

  /** Number of voxels (rows x columns x frames). */
  get voxelCount(): number {
    return this.geometry.rows * this.geometry.columns * this.geometry.frames;
  }

  /** Factor from stored value to Gy (DoseGridScaling, divided by 100 for cGy grids). */
  get gyPerStoredUnit(): number {
    return this.info.doseUnits === 'CGY' ? this.doseGridScaling / 100 : this.doseGridScaling;
  }

  /** The largest stored pixel value. */
  get maxStoredValue(): number {
    if (this.#maxPixel === undefined) {
      let max = this.pixels.length > 0 ? -Infinity : 0;
      const pixels = this.pixels;
      for (let i = 0; i < pixels.length; i += 1) if (pixels[i] > max) max = pixels[i];
      this.#maxPixel = max;
    }
    return this.#maxPixel;
  }

  /** The maximum dose in Gy (stored maximum x scaling). */
  get maxDoseGy(): number {
    return this.maxStoredValue * this.gyPerStoredUnit;
  }

  /** Dose in Gy of voxel (column, row, frame). */
  doseGyAt(column: number, row: number, frame: number): number {
    const g = this.geometry;
    return this.pixels[(frame * g.rows + row) * g.columns + column] * this.gyPerStoredUnit;
  }

  /** The whole grid in Gy as one Float32Array (computed once, then cached). */
  doseGy(): Float32Array {
    if (!this.#doseGy) {
      const out = new Float32Array(this.pixels.length);
      const scale = this.gyPerStoredUnit;
      for (let i = 0; i < out.length; i += 1) out[i] = this.pixels[i] * scale;
      this.#doseGy = out;
    }
    return this.#doseGy;
  }
}
