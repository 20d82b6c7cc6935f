// SPDX-License-Identifier: BSD-3-Clause
// Builders for dosekit's model objects without DICOM files: a DoseGrid filled from a dose function
// of patient coordinates, and a StructureSet from rings of [x, y] points per plane.
import { DoseGrid, type DoseGridInfo } from '../../src/model/dose-grid.js';
import type { GridGeometry } from '../../src/model/grid-geometry.js';
import { classifyOrientation, type PatientOrientation } from '../../src/model/orientation.js';
import { dicompylerPlaneKey, roundHalfEven2 } from '../../src/model/plane-key.js';
import { type Contour, type ContourGeometricType, type ContourPlane, type Roi, type StructureSet, paletteColor } from '../../src/model/structure-set.js';

/**
 * ImageOrientationPatient of each orientation: the same cosines as src/model/orientation.ts
 * (restated here so that a change there is caught by the helper's own check below).
 */
export const ORIENTATION_COSINES: Readonly<Record<PatientOrientation, readonly [number, number, number, number, number, number]>> = {
  HFS: [1, 0, 0, 0, 1, 0],
  HFP: [-1, 0, 0, 0, -1, 0],
  FFS: [-1, 0, 0, 0, 1, 0],
  FFP: [1, 0, 0, 0, -1, 0],
  HFDL: [0, -1, 0, 1, 0, 0],
  HFDR: [0, 1, 0, -1, 0, 0],
  FFDL: [0, 1, 0, 1, 0, 0],
  FFDR: [0, -1, 0, -1, 0, 0],
};

export const ALL_ORIENTATIONS: readonly PatientOrientation[] = ['HFS', 'FFS', 'HFP', 'FFP', 'HFDL', 'HFDR', 'FFDL', 'FFDR'];

export interface SyntheticDoseGridSpec {
  readonly rows: number;
  readonly columns: number;
  readonly frames: number;
  /** ImagePositionPatient: centre of voxel (row 0, column 0) of the first frame, mm. */
  readonly originMm: readonly [number, number, number];
  /** PixelSpacing in DICOM order: [between rows, between columns], mm. */
  readonly pixelSpacingMm: readonly [number, number];
  /** GridFrameOffsetVector as it would be in the file (relative, or absolute when offsets[0] = origin z != 0). */
  readonly frameOffsetsMm: readonly number[];
  readonly orientation: PatientOrientation;
  /** DoseGridScaling: stored value x scaling = dose in doseUnits. */
  readonly scaling: number;
  /** Dose in Gy (or in cGy when doseUnits is 'CGY') at a patient point (mm). */
  readonly dose: (x: number, y: number, z: number) => number;
  readonly frameOfReferenceUid?: string;
  readonly doseUnits?: 'GY' | 'CGY';
  readonly source?: string;
}

/**
 * A DoseGrid with stored values round(dose / scaling) (Uint32) at each voxel centre. The voxel
 * (column c, row r, frame f) sits at x = ox + rowCos.x * colSpacing * c + colCos.x * rowSpacing * r,
 * y likewise, z = oz + (headFirst ? +1 : -1) * offset[f]; the GridGeometry has the same fields,
 * computed the same way, as src/dicom/geometry.ts builds from a file.
 */
export function makeDoseGrid(spec: SyntheticDoseGridSpec): DoseGrid {
  const { rows, columns, frames, originMm, pixelSpacingMm, frameOffsetsMm: offsets, orientation, scaling } = spec;
  if (offsets.length !== frames) throw new Error(`makeDoseGrid: ${offsets.length} frame offsets for ${frames} frames`);
  const cosines = ORIENTATION_COSINES[orientation];
  const entry = classifyOrientation(cosines);
  if (entry.name !== orientation) throw new Error(`makeDoseGrid: cosines of ${orientation} classify as ${entry.name}`);

  // As src/dicom/geometry.ts: a first offset != 0 equal to the origin z means absolute offsets.
  const first = offsets[0];
  const absolute = first !== 0 && Math.abs(first - originMm[2]) < 1e-3;
  const frameOffsetsMm = Float64Array.from(offsets, (o) => (absolute ? o - first : o));
  const normalZ = entry.headFirst ? 1 : -1;
  const frameZMm = Float64Array.from(frameOffsetsMm, (o) => originMm[2] + normalZ * o);
  const geometry: GridGeometry = Object.freeze({
    rows,
    columns,
    frames,
    originMm: [originMm[0], originMm[1], originMm[2]] as const,
    rowCosines: [cosines[0], cosines[1], cosines[2]] as const,
    columnCosines: [cosines[3], cosines[4], cosines[5]] as const,
    pixelSpacingMm: [pixelSpacingMm[0], pixelSpacingMm[1]] as const,
    frameOffsetsMm,
    frameZMm,
    orientation: entry.name,
    xLutIndex: entry.xLutIndex,
    headFirst: entry.headFirst,
  });

  const [dr, dc] = pixelSpacingMm;
  const pixels = new Uint32Array(rows * columns * frames);
  for (let f = 0; f < frames; f += 1) {
    const z = frameZMm[f];
    for (let r = 0; r < rows; r += 1) {
      for (let c = 0; c < columns; c += 1) {
        const x = originMm[0] + cosines[0] * dc * c + cosines[3] * dr * r;
        const y = originMm[1] + cosines[1] * dc * c + cosines[4] * dr * r;
        const value = Math.round(spec.dose(x, y, z) / scaling);
        if (!(value >= 0 && value <= 0xffffffff)) throw new Error(`makeDoseGrid: dose at (${x}, ${y}, ${z}) gives stored value ${value}, outside Uint32`);
        pixels[(f * rows + r) * columns + c] = value;
      }
    }
  }
  const info: DoseGridInfo = {
    sopInstanceUid: '2.25.1',
    doseUnits: spec.doseUnits ?? 'GY',
    source: spec.source ?? 'synthetic-dose',
    ...(spec.frameOfReferenceUid !== undefined ? { frameOfReferenceUid: spec.frameOfReferenceUid } : {}),
  };
  return new DoseGrid(geometry, pixels, scaling, info);
}

/** One plane of a synthetic ROI: rings of [x, y] points, all at z = zMm. */
export interface SyntheticPlane {
  readonly zMm: number;
  readonly rings: readonly (readonly (readonly number[])[])[];
  /** Default 'CLOSED_PLANAR'. */
  readonly geometricType?: ContourGeometricType;
}

export interface SyntheticRoi {
  readonly number: number;
  readonly name: string;
  readonly planes: readonly SyntheticPlane[];
}

export interface SyntheticStructureSetOptions {
  readonly frameOfReferenceUid?: string;
  readonly source?: string;
}

/**
 * A StructureSet as src/dicom/rt-struct.ts builds one: contours grouped into planes by
 * dicompyler-core's key (z rounded to 0.01 mm), planes in ascending z.
 */
export function makeStructureSet(rois: readonly SyntheticRoi[], options: SyntheticStructureSetOptions = {}): StructureSet {
  const built: Roi[] = rois.map((spec) => {
    const byKey = new Map<string, { zMm: number; contours: Contour[] }>();
    for (const plane of spec.planes) {
      const key = dicompylerPlaneKey(plane.zMm);
      let entry = byKey.get(key);
      if (!entry) {
        entry = { zMm: roundHalfEven2(plane.zMm), contours: [] };
        byKey.set(key, entry);
      }
      for (const ring of plane.rings) {
        const pointsMm = new Float64Array(ring.length * 3);
        ring.forEach((p, k) => {
          pointsMm[k * 3] = p[0];
          pointsMm[k * 3 + 1] = p[1];
          pointsMm[k * 3 + 2] = plane.zMm;
        });
        entry.contours.push(Object.freeze({ geometricType: plane.geometricType ?? 'CLOSED_PLANAR', pointsMm, pointCount: ring.length }));
      }
    }
    const planes: ContourPlane[] = [...byKey.entries()]
      .map(([key, p]) => Object.freeze({ zMm: p.zMm, key, contours: Object.freeze(p.contours) }))
      .sort((a, b) => a.zMm - b.zMm);
    return Object.freeze({
      number: spec.number,
      name: spec.name,
      color: paletteColor(spec.number),
      colorFromFile: false,
      planes: Object.freeze(planes),
      empty: planes.length === 0,
      ...(options.frameOfReferenceUid !== undefined ? { frameOfReferenceUid: options.frameOfReferenceUid } : {}),
    });
  });
  return Object.freeze({
    sopInstanceUid: '2.25.2',
    label: 'synthetic',
    source: options.source ?? 'synthetic-rtstruct',
    rois: Object.freeze(built),
    ...(options.frameOfReferenceUid !== undefined ? { frameOfReferenceUid: options.frameOfReferenceUid } : {}),
  });
}

/** The rectangle [x0, x1] x [y0, y1] as a counter-clockwise ring of four [x, y] corners. */
export function boxRing(x0: number, y0: number, x1: number, y1: number): number[][] {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
}

/** A regular n-gon inscribed in the circle of centre (cx, cy) and radius r, counter-clockwise. */
export function circleRing(cx: number, cy: number, r: number, n: number): number[][] {
  const ring: number[][] = [];
  for (let k = 0; k < n; k += 1) {
    const a = (2 * Math.PI * k) / n;
    ring.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return ring;
}

/**
 * The cases' standard grid: 21 columns along x (2 mm) by 17 rows along y (2.5 mm) from
 * (-20, -20), frames z = 0..8 every 2 mm, HFS, scaling 0.001 unless overridden.
 */
export function standardGrid(dose: (xMm: number, yMm: number, zMm: number) => number, overrides: Partial<SyntheticDoseGridSpec> = {}): DoseGrid {
  return makeDoseGrid({
    rows: 17,
    columns: 21,
    frames: 5,
    originMm: [-20, -20, 0],
    pixelSpacingMm: [2.5, 2],
    frameOffsetsMm: [0, 2, 4, 6, 8],
    orientation: 'HFS',
    scaling: 0.001,
    dose,
    ...overrides,
  });
}

/**
 * The layout of one physical lattice stored in `orientation`: columns along x (2 mm) and rows
 * along y (2.5 mm) on non-decubitus grids, swapped on decubitus ones (PixelSpacing [2, 2.5]);
 * x and y from -halfExtentMm to +halfExtentMm; frames from z = 0 (head first) or from
 * `topZMm` downwards (feet first).
 */
export function orientedLayout(orientation: PatientOrientation, along: { xCount: number; yCount: number; halfExtentMm: number; topZMm: number }): Pick<SyntheticDoseGridSpec, 'rows' | 'columns' | 'pixelSpacingMm' | 'originMm' | 'orientation'> {
  const c = ORIENTATION_COSINES[orientation];
  const decubitus = c[0] === 0;
  const xDirection = c[0] + c[3]; // one of the two is 0
  const yDirection = c[1] + c[4];
  const h = along.halfExtentMm;
  return {
    rows: decubitus ? along.xCount : along.yCount,
    columns: decubitus ? along.yCount : along.xCount,
    pixelSpacingMm: decubitus ? [2, 2.5] : [2.5, 2],
    originMm: [xDirection > 0 ? -h : h, yDirection > 0 ? -h : h, orientation.startsWith('HF') ? 0 : along.topZMm],
    orientation,
  };
}
