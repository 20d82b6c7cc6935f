// SPDX-License-Identifier: BSD-3-Clause
// Types of bench/lib/large-case.mjs, for the TypeScript that imports it (test/unit/large-case.test.ts).
import type { DoseGrid, GridGeometry, StructureSet } from '../../src/index.js';

/** The case's parameters. */
export interface LargeCaseSpec {
  readonly columns: number;
  readonly rows: number;
  readonly frames: number;
  /** [column (x), row (y), frame (z)] spacing, mm. */
  readonly spacingMm: readonly [number, number, number];
  readonly roiCount: number;
  readonly minCc: number;
  readonly maxCc: number;
  readonly minPoints: number;
  readonly maxPoints: number;
  readonly contourSpacingMm: number;
  readonly maxGy: number;
  readonly seed: number;
  /** Put the 32-bit pixel data at a file offset of 2 (mod 4), as half of real files have it. */
  readonly unalignedPixelData: boolean;
  readonly scale: number;
}

export type LargeCaseOptions = Partial<Omit<LargeCaseSpec, 'spacingMm'>> & { readonly spacingMm?: readonly number[] };

export type ShapeKind = 'cylinder' | 'box' | 'tube' | 'box-with-hole';

/** One ROI of the case, with its closed forms. */
export interface LargeCaseShape {
  readonly number: number;
  readonly name: string;
  readonly kind: ShapeKind;
  readonly hole: boolean;
  /** Points of every contour. */
  readonly points: number;
  readonly centreMm: readonly [number, number, number];
  /** Circumradius of the outer ring (cylinder, tube; the hole's is half). */
  readonly radiusMm?: number;
  /** Outer sides along x and y (boxes; the hole's are half). */
  readonly sidesMm?: readonly [number, number];
  /** [xMin, yMin, xMax, yMax] of each ring as written (boxes). */
  readonly boxesMm?: readonly (readonly [number, number, number, number])[];
  readonly planesZ: readonly number[];
  /** Area of a plane's cross-section (outer less hole), mm^2. */
  readonly areaMm2: number;
  /** Perimeter of a plane's rings together, mm. */
  readonly perimeterMm: number;
  /** The prism model's volume: planes x contour spacing x area, mm^3. */
  readonly volumeMm3: number;
}

/** What writeLargeCase wrote (also case.json in the folder, without the paths). */
export interface LargeCaseManifest {
  readonly key: string;
  readonly generatorVersion: number;
  readonly spec: LargeCaseSpec;
  readonly voxels: number;
  readonly pixelDataBytes: number;
  readonly maxDoseGy: number;
  readonly rtssBytes: number;
  readonly rtdoseBytes: number;
  readonly contours: number;
  readonly contourPoints: number;
  readonly generateMs: number;
  readonly shapes: readonly LargeCaseShape[];
  readonly rtss: string;
  readonly rtdose: string;
  /** True when the folder already held this case. */
  readonly reused: boolean;
}

export declare const FULL_SIZE: Readonly<Omit<LargeCaseSpec, 'scale'>>;
export declare const GENERATOR_VERSION: number;
export declare const DOSE_GRID_SCALING: number;
export declare function micrometre(value: number): number;
export declare function largeCaseSpec(options?: LargeCaseOptions): LargeCaseSpec;
export declare function largeCaseGeometry(spec: LargeCaseSpec): GridGeometry;
export declare function largeCaseDoseGrid(spec: LargeCaseSpec): DoseGrid;
export declare function largeCaseShapes(spec: LargeCaseSpec): (LargeCaseShape & { readonly rings: readonly Float64Array[] })[];
export declare function largeCaseStructureSet(spec: LargeCaseSpec, shapes?: readonly (LargeCaseShape & { readonly rings: readonly Float64Array[] })[]): StructureSet;
export declare function writeLargeCase(dir: string, options?: LargeCaseOptions): LargeCaseManifest;
