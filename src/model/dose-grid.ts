// SPDX-License-Identifier: BSD-3-Clause
import type { AddDoseOptions, ResampleOptions } from '../dose/options.js';
import type { SafeWriteOptions } from '../dicom/write-file.js';
import { type GridIndices, gridAxes, gridIndicesOf, sameGeometry } from './grid-axes.js';
import type { GridGeometry } from './grid-geometry.js';
import { requireGridGeometry } from './model-arguments.js';
import { DosekitError } from '../errors.js';
import { describeValue, optional, requireBytes, requireFiniteNumber, requireInstance, requireInteger, requireObject, requireString } from '../validate.js';

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
  /** The file (path or label) it was read from, or a description of how it was derived. */
  readonly source: string;
  /** The source file's other attributes (patient, study, references), opaque outside src/dicom; a derived grid is written with them. */
  readonly sourceAttributes?: DicomAttributeSet;
  /** How a summed or scaled grid was made. */
  readonly derivation?: DoseDerivation;
  /** What reading its file noticed and passed over (zero padding after the data or the pixels); absent when nothing. */
  readonly warnings?: readonly string[];
}

/** The attributes of the RT Dose a grid came from, kept opaque so only src/dicom reads them. */
export interface DicomAttributeSet {
  readonly __dicomAttributeSet: true;
}

/** One grid that went into a derived grid. */
export interface DoseDerivationInput {
  readonly source: string;
  readonly sopInstanceUid: string;
  readonly referencedPlanUid?: string;
  /** Weight (factor) it was summed with. */
  readonly weight: number;
  /** True when it was resampled onto the result's grid, false when added voxel by voxel. */
  readonly resampled: boolean;
}

/** How a derived grid was made: the operation, its inputs and the backend that computed it. */
export interface DoseDerivation {
  readonly operation: 'sum' | 'scale';
  readonly inputs: readonly DoseDerivationInput[];
  /** Interpolation order and mode of resampled inputs. */
  readonly order: 0 | 1;
  readonly mode: 'constant' | 'nearest';
  readonly backend: { readonly kind: 'cpu' | 'webgpu'; readonly adapter?: string; readonly software?: boolean };
  /** Attribute mismatches overridden with `force`, and other things a user should know. */
  readonly warnings: readonly string[];
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
    requireGridGeometry(geometry, 'geometry');
    const voxels = geometry.rows * geometry.columns * geometry.frames;
    if (!ArrayBuffer.isView(pixels) || pixels instanceof DataView || typeof (pixels as { length?: unknown }).length !== 'number' || (pixels as PixelArray).length !== voxels) {
      throw new DosekitError('E_INVALID_ARGUMENT', `pixels must be a typed array of rows x columns x frames = ${voxels} stored values (got ${describeValue(pixels)}).`, { argument: 'pixels' });
    }
    requireFiniteNumber(doseGridScaling, 'doseGridScaling', { min: 0 });
    const record = requireObject(info, 'info');
    requireString(record.source, 'info.source');
    requireString(record.doseUnits, 'info.doseUnits');
    this.geometry = geometry;
    this.pixels = pixels;
    this.doseGridScaling = doseGridScaling;
    this.info = info;
    Object.freeze(this);
  }

  /**
   * Reads an RT Dose file (Node and Deno).
   * @throws DosekitError E_FILE_NOT_FOUND, E_NOT_RTDOSE, E_MALFORMED_DICOM and the other reader codes.
   */
  static async fromFile(path: string): Promise<DoseGrid> {
    requireString(path, 'path', true);
    const { DicomParser } = await import('../dicom/parser.js');
    return (await DicomParser.fromFile(path)).toDoseGrid();
  }

  /** Parses RT Dose bytes (browser, Node, Deno); `label` names the data in messages. */
  static async fromBytes(bytes: ArrayBuffer | Uint8Array, label = '<bytes>'): Promise<DoseGrid> {
    requireBytes(bytes, 'bytes');
    requireString(label, 'label');
    const { DicomParser } = await import('../dicom/parser.js');
    return DicomParser.fromBytes(bytes, label).toDoseGrid();
  }

  /** The grid of a parsed RT Dose (a `DicomParser`). @throws DosekitError E_NOT_RTDOSE. */
  static fromParser(parser: { toDoseGrid(): DoseGrid }): DoseGrid {
    if (typeof (requireObject(parser, 'parser') as { toDoseGrid?: unknown }).toDoseGrid !== 'function') {
      throw new DosekitError('E_INVALID_ARGUMENT', `parser must be a DicomParser of an RT Dose (got ${describeValue(parser)}).`, { argument: 'parser' });
    }
    return parser.toDoseGrid();
  }

  /** [columns, rows, frames]: the extent along x-like, y-like and z (dicompyler's `shape`). */
  get shape(): readonly [number, number, number] {
    return [this.geometry.columns, this.geometry.rows, this.geometry.frames];
  }

  /** Patient coordinate (mm) of each column, row and frame centre, along the patient axis each runs (dicompyler's `axes`). */
  get axesMm(): { readonly column: Float64Array; readonly row: Float64Array; readonly frame: Float64Array } {
    const [column, row, frame] = gridAxes(this.geometry).map((axis) => Float64Array.from({ length: axis.length }, (_, i) => axis.positionMm(i)));
    return { column, row, frame };
  }

  /**
   * [column spacing, row spacing, first frame step] in mm (dicompyler's `scale`, with its
   * x/y swap fixed: PixelSpacing is [row spacing, column spacing]).
   */
  get scaleMm(): readonly [number, number, number] {
    const z = this.geometry.frameZMm;
    return [this.geometry.pixelSpacingMm[1], this.geometry.pixelSpacingMm[0], z.length > 1 ? Math.abs(z[1] - z[0]) : 0];
  }

  /** ImagePositionPatient: the centre of the first voxel, mm (dicompyler's `offset`). */
  get offsetMm(): readonly [number, number, number] {
    return this.geometry.originMm;
  }

  /** The largest dose on the six faces of the grid, Gy: dose reaching the edge means the grid may be too small. */
  get maxBoundaryDoseGy(): number {
    const { columns, rows, frames } = this.geometry;
    const p = this.pixels;
    let max = 0;
    const take = (i: number): void => {
      if (p[i] > max) max = p[i];
    };
    for (let f = 0; f < frames; f += 1) {
      const wholePlane = f === 0 || f === frames - 1;
      for (let r = 0; r < rows; r += 1) {
        const base = (f * rows + r) * columns;
        if (wholePlane || r === 0 || r === rows - 1) for (let c = 0; c < columns; c += 1) take(base + c);
        else {
          take(base);
          take(base + columns - 1);
        }
      }
    }
    return max * this.gyPerStoredUnit;
  }

  /** {@link maxBoundaryDoseGy} as a fraction of the maximum dose (0 for an all-zero grid). */
  get maxBoundaryRelativeDose(): number {
    const max = this.maxDoseGy;
    return max > 0 ? this.maxBoundaryDoseGy / max : 0;
  }

  /** True when `other` has exactly the same voxel centres (no tolerance, as dicompyler), so sums need no resampling. */
  isCoincident(other: DoseGrid): boolean {
    requireInstance(other, 'other', DoseGrid, 'a DoseGrid');
    return sameGeometry(this.geometry, other.geometry);
  }

  /**
   * Continuous (column, row, frame) indices in this grid of the voxel centres of `other`, per
   * axis of `other`; the full mesh is their Cartesian product (dicompyler's `get_ijk_points`).
   */
  getIjkPoints(other: DoseGrid): GridIndices {
    requireInstance(other, 'other', DoseGrid, 'a DoseGrid');
    return gridIndicesOf(this.geometry, other.geometry);
  }

  /**
   * This dose plus `other` (times its `weight`), on this grid: voxel by voxel when the grids
   * coincide, else `other` resampled (trilinear by default). A new grid; neither input changes.
   * @throws DosekitError E_INCOMPATIBLE_DOSE when DoseUnits, DoseType, DoseSummationType or the
   *   frame of reference differ (pass `force: true` to sum anyway).
   */
  async add(other: DoseGrid, options: AddDoseOptions = {}): Promise<DoseGrid> {
    requireInstance(other, 'other', DoseGrid, 'a DoseGrid');
    const { weight, ...rest } = requireObject(options, 'options') as AddDoseOptions & { weights?: unknown };
    const factor = optional(weight, 'options.weight', (v, n) => requireFiniteNumber(v, n, { min: 0 })) ?? 1;
    if (rest.weights !== undefined) throw new DosekitError('E_INVALID_ARGUMENT', 'options has no option "weights" in add(); give the weight of `other` as options.weight.', { argument: 'options', option: 'weights' });
    const { sumDoseGrids } = await import('../dose/sum.js');
    return sumDoseGrids([this, other], { ...rest, weights: [1, factor] });
  }

  /** This dose times `factor` (>= 0): a new grid. @throws DosekitError E_INVALID_ARGUMENT for a negative or non-finite factor. */
  async multiply(factor: number): Promise<DoseGrid> {
    const { scaleDoseGrid } = await import('../dose/scale.js');
    return scaleDoseGrid(this, factor);
  }

  /** `other`'s dose resampled onto this grid, Gy, frame-major (dicompyler's `interp_entire_grid`). */
  async interpEntireGrid(other: DoseGrid, options: ResampleOptions = {}): Promise<Float32Array> {
    requireInstance(other, 'other', DoseGrid, 'a DoseGrid');
    const { resampleDoseGy } = await import('../dose/sum.js');
    return resampleDoseGy(other, this, options);
  }

  /** The grid as RT Dose Part 10 bytes (32-bit pixels, new UIDs already set on derived grids). */
  async toBytes(): Promise<Uint8Array> {
    const { writeRtDoseBytes } = await import('../dicom/write-rt-dose.js');
    return writeRtDoseBytes(this);
  }

  /**
   * Writes the grid as an RT Dose file (Node and Deno) through a temporary file and a rename.
   * @throws DosekitError E_OUTPUT_EXISTS (unless `force`), E_OUTPUT_IS_INPUT when `path` is the file this grid or one of its inputs came from.
   */
  async saveDcm(path: string, options: SafeWriteOptions = {}): Promise<void> {
    requireString(path, 'path', true);
    const { writeFileSafely, checkSafeWriteOptions } = await import('../dicom/write-file.js');
    checkSafeWriteOptions(options);
    const inputs = [this.info.source, ...(this.info.derivation?.inputs.map((i) => i.source) ?? []), ...(options.inputs ?? [])];
    await writeFileSafely(path, await this.toBytes(), { ...options, inputs });
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
    requireInteger(column, 'column', { min: 0, max: g.columns - 1 });
    requireInteger(row, 'row', { min: 0, max: g.rows - 1 });
    requireInteger(frame, 'frame', { min: 0, max: g.frames - 1 });
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
