// SPDX-License-Identifier: BSD-3-Clause
// A large synthetic RT case generated in code (no big files in the repository): an RT Dose of
// 512 x 512 x 300 voxels with 32-bit pixels (300 MB of pixel data) and an RT Structure Set of 60
// ROIs from about 1 cc to 10 000 cc (cylinders and boxes, every other one with a hole: a ring
// inside a ring on the same plane; 64- to 2000-point contours), in one frame of reference.
//
// Sizes are parametric: `scale` multiplies the voxel count along each axis and divides the
// spacing, so the field of view and the ROIs (in cc) stay the same; or give columns, rows,
// frames, spacingMm and the ROI options directly.
//
// The RT Dose is written plane by plane: the header comes from dosekit's writer
// (writeDoseGridBytes) for a grid with no pixels, the PixelData length is patched, then each
// frame is computed into one plane buffer and appended. Only one plane is in memory at a time
// (writeDoseGridBytes on a whole grid would hold the grid, its PixelData copy and dcmjs's output
// buffer: about three times the pixel data).
//
// Every ROI's prism-model volume has a closed form (the area of a regular N-gon or a rectangle,
// less the hole's, times the number of planes and their spacing), returned with the case.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DoseGrid, writeDoseGridBytes, writeStructureSetBytes } from '../../dist/src/index.js';

/** The full-size case of the benchmark. */
export const FULL_SIZE = Object.freeze({
  columns: 512,
  rows: 512,
  frames: 300,
  /** [column (x), row (y), frame (z)] spacing, mm. */
  spacingMm: Object.freeze([1, 1, 2]),
  roiCount: 60,
  minCc: 1,
  maxCc: 10000,
  minPoints: 64,
  maxPoints: 2000,
  contourSpacingMm: 2,
  maxGy: 70,
  seed: 20261125,
  /**
   * Put the 32-bit pixel data at a file offset of 2 (mod 4), as half of real files have it:
   * it cannot be viewed as a Uint32Array where it lies.
   */
  unalignedPixelData: false,
});

/** Bumped whenever the generated files would change (cached folders are then regenerated). */
export const GENERATOR_VERSION = 1;
/** DoseGridScaling of the case: stored value 1 = 1 uGy (written exactly as "1e-6"). */
export const DOSE_GRID_SCALING = 1e-6;
const FRAME_OF_REFERENCE_UID = '2.25.186044415161235216461251236121124512';
const STRUCTURE_SET_UID = '2.25.186044415161235216461251236121124513';
const DOSE_UID = '2.25.186044415161235216461251236121124514';
const STUDY_UID = '2.25.186044415161235216461251236121124515';

/** Rounds to 1e-6 mm (DICOM decimal strings then hold the value exactly). */
export function micrometre(value) {
  const rounded = Math.round(value * 1e6) / 1e6;
  return rounded === 0 ? 0 : rounded;
}

/** mulberry32, a small seeded PRNG: the same case on every machine. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The case's parameters: FULL_SIZE, scaled by `scale` (voxels per axis times scale, spacing
 * divided by it), then any explicit option.
 */
export function largeCaseSpec(options = {}) {
  const { scale = 1, ...rest } = options;
  if (!(scale > 0 && scale <= 4)) throw new Error(`scale must be in (0, 4] (got ${scale})`);
  const scaled = {
    ...FULL_SIZE,
    columns: Math.max(8, Math.round(FULL_SIZE.columns * scale)),
    rows: Math.max(8, Math.round(FULL_SIZE.rows * scale)),
    frames: Math.max(4, Math.round(FULL_SIZE.frames * scale)),
    spacingMm: FULL_SIZE.spacingMm.map((s) => micrometre(s / scale)),
  };
  const spec = { ...scaled, ...rest, scale };
  spec.spacingMm = [...spec.spacingMm];
  return Object.freeze(spec);
}

/** Head-first supine geometry, centred on the origin; frame z from ImagePositionPatient z + offset, as the reader computes it. */
export function largeCaseGeometry(spec) {
  const { columns, rows, frames } = spec;
  const [dx, dy, dz] = spec.spacingMm;
  const originMm = [micrometre(-((columns - 1) * dx) / 2), micrometre(-((rows - 1) * dy) / 2), micrometre(-((frames - 1) * dz) / 2)];
  const frameOffsetsMm = Float64Array.from({ length: frames }, (_, k) => micrometre(k * dz));
  return Object.freeze({
    rows, columns, frames, originMm,
    rowCosines: [1, 0, 0],
    columnCosines: [0, 1, 0],
    pixelSpacingMm: [dy, dx],
    frameOffsetsMm,
    frameZMm: Float64Array.from(frameOffsetsMm, (o) => originMm[2] + o),
    orientation: 'HFS', xLutIndex: 0, headFirst: true,
  });
}

// ---- dose ------------------------------------------------------------------------------------

/**
 * The dose field: a broad Gaussian (the "target" region, 85% of maxGy at its peak) plus a
 * lateral gradient (up to 15%), separable so a plane costs a multiply-add per voxel.
 */
function doseField(spec, geometry) {
  const { columns, rows } = geometry;
  const [dx, dy] = spec.spacingMm;
  const width = columns * dx;
  const sigma2 = 2 * (Math.min(columns * dx, rows * dy) / 4) ** 2;
  const ex = Float64Array.from({ length: columns }, (_, i) => Math.exp(-((geometry.originMm[0] + i * dx) ** 2) / sigma2));
  const gx = Float64Array.from({ length: columns }, (_, i) => 0.15 * (0.5 + (geometry.originMm[0] + i * dx) / width));
  const ey = Float64Array.from({ length: rows }, (_, j) => Math.exp(-((geometry.originMm[1] + j * dy) ** 2) / sigma2));
  return { ex, gx, ey, sigma2, perStored: spec.maxGy / DOSE_GRID_SCALING };
}

/** Fills `out` (rows x columns) with the stored values of frame `k`. */
function fillDosePlane(field, geometry, k, out) {
  const { columns, rows } = geometry;
  const z = geometry.frameZMm[k];
  const ez = 0.85 * Math.exp(-(0.5 * z * z) / field.sigma2);
  const { ex, gx, ey, perStored } = field;
  for (let j = 0; j < rows; j += 1) {
    const a = ez * ey[j];
    const base = j * columns;
    for (let i = 0; i < columns; i += 1) out[base + i] = Math.round(perStored * Math.max(0, a * ex[i] + gx[i]));
  }
  return out;
}

/** The whole grid as a DoseGrid in memory (tests and small cases; the benchmark streams it to disk instead). */
export function largeCaseDoseGrid(spec) {
  const geometry = largeCaseGeometry(spec);
  const field = doseField(spec, geometry);
  const plane = geometry.rows * geometry.columns;
  const pixels = new Uint32Array(plane * geometry.frames);
  for (let k = 0; k < geometry.frames; k += 1) fillDosePlane(field, geometry, k, pixels.subarray(k * plane, (k + 1) * plane));
  return new DoseGrid(geometry, pixels, DOSE_GRID_SCALING, doseInfo());
}

function doseInfo() {
  return {
    sopInstanceUid: DOSE_UID,
    studyInstanceUid: STUDY_UID,
    frameOfReferenceUid: FRAME_OF_REFERENCE_UID,
    doseUnits: 'GY', doseType: 'PHYSICAL', summationType: 'PLAN',
    referencedStructureSetUid: STRUCTURE_SET_UID,
    comment: 'dosekit large synthetic case',
    source: 'dosekit large-case generator',
  };
}

const WRITE_IDS = { patientId: 'DOSEKIT-LARGE', patientName: 'DOSEKIT^LARGE', studyInstanceUid: STUDY_UID, frameOfReferenceUid: FRAME_OF_REFERENCE_UID, seriesDescription: 'dosekit large synthetic case' };

/**
 * The RT Dose header (every attribute; PixelData last, announced with the full length) for the
 * grid geometry, from dosekit's own writer.
 */
function doseHeader(geometry, unaligned) {
  // A header-only grid: the constructor (rightly) refuses pixels that do not fill the geometry, so
  // this one is made without it; the writer reads only its fields and writes an empty PixelData.
  const headerGrid = Object.freeze(Object.assign(Object.create(DoseGrid.prototype), { geometry, pixels: new Uint32Array(0), doseGridScaling: DOSE_GRID_SCALING, info: doseInfo() }));
  const write = (seriesDescription) => writeDoseGridBytes(headerGrid, { ...WRITE_IDS, seriesDescription, referencedStructureSetUid: STRUCTURE_SET_UID });
  let header = write(WRITE_IDS.seriesDescription);
  // The pixel data starts where the header ends: two characters more (an even LO grows by 2) move it by 2 bytes.
  if ((header.length % 4 !== 0) !== unaligned) header = write(`${WRITE_IDS.seriesDescription} ~`);
  if ((header.length % 4 !== 0) !== unaligned) throw new Error('could not place the pixel data as asked');
  const n = header.length;
  // Explicit VR: (7FE0,0010) OW 0000 length32 = 12 bytes; implicit VR: (7FE0,0010) length32 = 8 bytes.
  const explicit = n >= 12 && header[n - 12] === 0xe0 && header[n - 11] === 0x7f && header[n - 10] === 0x10 && header[n - 9] === 0x00 && header[n - 8] === 0x4f && header[n - 7] === 0x57;
  const implicit = !explicit && n >= 8 && header[n - 8] === 0xe0 && header[n - 7] === 0x7f && header[n - 6] === 0x10 && header[n - 5] === 0x00;
  if (!(explicit || implicit) || new DataView(header.buffer, header.byteOffset + n - 4, 4).getUint32(0, true) !== 0) {
    throw new Error('the RT Dose writer did not end the file with an empty PixelData element; cannot stream the pixels');
  }
  const bytes = geometry.rows * geometry.columns * geometry.frames * 4;
  new DataView(header.buffer, header.byteOffset + n - 4, 4).setUint32(0, bytes, true);
  return header;
}

/** Writes the RT Dose to `path` plane by plane; returns the largest stored value. */
function writeDoseFile(spec, path) {
  const geometry = largeCaseGeometry(spec);
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('big-endian hosts are not supported by the generator');
  const field = doseField(spec, geometry);
  const plane = new Uint32Array(geometry.rows * geometry.columns);
  const bytes = new Uint8Array(plane.buffer);
  const fd = openSync(path, 'w');
  let max = 0;
  try {
    writeSync(fd, doseHeader(geometry, spec.unalignedPixelData));
    for (let k = 0; k < geometry.frames; k += 1) {
      fillDosePlane(field, geometry, k, plane);
      for (let i = 0; i < plane.length; i += 1) if (plane[i] > max) max = plane[i];
      writeSync(fd, bytes);
    }
  } finally {
    closeSync(fd);
  }
  return max;
}

// ---- structures ------------------------------------------------------------------------------

const KINDS = ['cylinder', 'box', 'tube', 'box-with-hole'];

function regularPolygon(cx, cy, r, n, phase) {
  const ring = new Float64Array(n * 2);
  for (let k = 0; k < n; k += 1) {
    const t = phase + (2 * Math.PI * k) / n;
    ring[2 * k] = micrometre(cx + r * Math.cos(t));
    ring[2 * k + 1] = micrometre(cy + r * Math.sin(t));
  }
  return ring;
}

/** A rectangle with n points (n a multiple of 4), n/4 evenly spaced along each edge, counter-clockwise. */
function rectangle(cx, cy, a, b, n) {
  const per = n / 4;
  const corners = [[cx - a / 2, cy - b / 2], [cx + a / 2, cy - b / 2], [cx + a / 2, cy + b / 2], [cx - a / 2, cy + b / 2]];
  const ring = new Float64Array(n * 2);
  for (let e = 0; e < 4; e += 1) {
    const [x0, y0] = corners[e];
    const [x1, y1] = corners[(e + 1) % 4];
    for (let p = 0; p < per; p += 1) {
      ring[2 * (e * per + p)] = micrometre(x0 + ((x1 - x0) * p) / per);
      ring[2 * (e * per + p) + 1] = micrometre(y0 + ((y1 - y0) * p) / per);
    }
  }
  return ring;
}

/** [xMin, yMin, xMax, yMax] of a ring of x, y pairs. */
function boundingBox(ring) {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let k = 0; k < ring.length; k += 2) {
    x0 = Math.min(x0, ring[k]);
    x1 = Math.max(x1, ring[k]);
    y0 = Math.min(y0, ring[k + 1]);
    y1 = Math.max(y1, ring[k + 1]);
  }
  return [x0, y0, x1, y1];
}

/** Area of a regular n-gon of circumradius r. */
const ngonArea = (r, n) => (n / 2) * r * r * Math.sin((2 * Math.PI) / n);
/** Perimeter of a regular n-gon of circumradius r. */
const ngonPerimeter = (r, n) => 2 * n * r * Math.sin(Math.PI / n);

/**
 * The ROIs' shapes: volumes log-spaced from minCc to maxCc, kinds in turn (cylinder, box, tube =
 * cylinder with a coaxial hole, box with a box hole), contour points log-spaced from minPoints
 * to maxPoints with the volume, placed at seeded random positions wholly inside the grid (at
 * least one voxel and one frame from its edges), on contour planes `contourSpacingMm` apart.
 * Each carries its prism-model volume in closed form (mm^3) and in-plane perimeter (mm).
 */
export function largeCaseShapes(spec) {
  const geometry = largeCaseGeometry(spec);
  const [dx, dy, dz] = spec.spacingMm;
  const s = spec.contourSpacingMm;
  const rand = random(spec.seed);
  const x0 = geometry.originMm[0] + dx;
  const x1 = geometry.originMm[0] + (geometry.columns - 2) * dx;
  const y0 = geometry.originMm[1] + dy;
  const y1 = geometry.originMm[1] + (geometry.rows - 2) * dy;
  const z0 = geometry.frameZMm[0] + dz;
  const z1 = geometry.frameZMm[geometry.frames - 1] - dz;
  const shapes = [];
  for (let i = 0; i < spec.roiCount; i += 1) {
    const t = spec.roiCount === 1 ? 1 : i / (spec.roiCount - 1);
    const targetMm3 = 1000 * spec.minCc * (spec.maxCc / spec.minCc) ** t;
    const kind = KINDS[i % KINDS.length];
    const raw = Math.round(spec.minPoints * (spec.maxPoints / spec.minPoints) ** t);
    const points = kind.startsWith('box') ? Math.max(4, 4 * Math.round(raw / 4)) : raw;
    const hole = kind === 'tube' || kind === 'box-with-hole';
    // Outer size: cylinders as tall as wide; boxes 1.25 x 0.8 x 1 times a side; holes take half each way (a quarter of the area).
    const holeFactor = hole ? 0.75 : 1;
    let r = 0;
    let a = 0;
    let b = 0;
    let height;
    if (kind === 'cylinder' || kind === 'tube') {
      r = Math.cbrt(targetMm3 / (2 * Math.PI * holeFactor));
      height = 2 * r;
    } else {
      // a x b x height = side^3 (less the hole's quarter).
      const side = Math.cbrt(targetMm3 / holeFactor);
      a = side * 1.25;
      b = side * 0.8;
      height = side;
    }
    const planeCount = Math.max(2, Math.round(height / s));
    const halfX = kind.startsWith('box') ? a / 2 : r;
    const halfY = kind.startsWith('box') ? b / 2 : r;
    const halfZ = (planeCount - 1) * s / 2;
    if (2 * halfX > x1 - x0 || 2 * halfY > y1 - y0 || 2 * halfZ > z1 - z0) {
      throw new Error(`ROI ${i + 1} (${kind}, ${(targetMm3 / 1000).toFixed(1)} cc) does not fit in the grid; lower maxCc or enlarge the grid`);
    }
    const cx = micrometre(x0 + halfX + rand() * (x1 - x0 - 2 * halfX));
    const cy = micrometre(y0 + halfY + rand() * (y1 - y0 - 2 * halfY));
    // The first plane on the contour lattice z = frame 0 + j * spacing.
    const jMin = Math.ceil((z0 - geometry.frameZMm[0]) / s);
    const jMax = Math.floor((z1 - 2 * halfZ - geometry.frameZMm[0]) / s);
    const j = jMin + Math.floor(rand() * (jMax - jMin + 1));
    const planesZ = Array.from({ length: planeCount }, (_, k) => micrometre(geometry.frameZMm[0] + (j + k) * s));
    const phase = rand() * Math.PI;
    let areaMm2;
    let perimeterMm;
    let rings;
    if (kind === 'cylinder' || kind === 'tube') {
      areaMm2 = ngonArea(r, points) - (hole ? ngonArea(r / 2, points) : 0);
      perimeterMm = ngonPerimeter(r, points) + (hole ? ngonPerimeter(r / 2, points) : 0);
      rings = [regularPolygon(cx, cy, r, points, phase), ...(hole ? [regularPolygon(cx, cy, r / 2, points, phase)] : [])];
    } else {
      areaMm2 = a * b - (hole ? (a * b) / 4 : 0);
      perimeterMm = 2 * (a + b) * (hole ? 1.5 : 1);
      rings = [rectangle(cx, cy, a, b, points), ...(hole ? [rectangle(cx, cy, a / 2, b / 2, points)] : [])];
    }
    shapes.push({
      number: i + 1,
      name: `${kind} ${i + 1}`,
      kind,
      hole,
      points,
      centreMm: [cx, cy, (planesZ[0] + planesZ[planeCount - 1]) / 2],
      ...(r ? { radiusMm: r } : { sidesMm: [a, b], boxesMm: rings.map(boundingBox) }),
      planesZ,
      rings,
      areaMm2,
      perimeterMm,
      /** Prism model (each plane's slab +- half the spacing): planes x spacing x area. */
      volumeMm3: planeCount * s * areaMm2,
    });
  }
  return shapes;
}

/** The structure set model of the shapes (rings rounded to 1e-6 mm, as written). */
export function largeCaseStructureSet(spec, shapes = largeCaseShapes(spec)) {
  const rois = shapes.map((shape, i) => ({
    number: shape.number,
    name: shape.name,
    interpretedType: i === shapes.length - 1 ? 'EXTERNAL' : 'ORGAN',
    color: [(i * 53) % 256, (i * 97) % 256, (i * 151) % 256],
    colorFromFile: true,
    frameOfReferenceUid: FRAME_OF_REFERENCE_UID,
    generationAlgorithm: 'AUTOMATIC',
    planes: shape.planesZ.map((z) => ({
      zMm: z,
      key: z.toFixed(2),
      contours: shape.rings.map((ring) => {
        const n = ring.length / 2;
        const pointsMm = new Float64Array(n * 3);
        for (let k = 0; k < n; k += 1) {
          pointsMm[3 * k] = ring[2 * k];
          pointsMm[3 * k + 1] = ring[2 * k + 1];
          pointsMm[3 * k + 2] = z;
        }
        return { geometricType: 'CLOSED_PLANAR', pointsMm, pointCount: n };
      }),
    })),
    empty: false,
  }));
  return { sopInstanceUid: STRUCTURE_SET_UID, label: 'LARGE', name: 'dosekit large synthetic case', frameOfReferenceUid: FRAME_OF_REFERENCE_UID, rois, source: 'dosekit large-case generator' };
}

/** What a case folder's manifest records (the shapes without their rings). */
function describeShapes(shapes) {
  return shapes.map(({ rings, ...rest }) => rest);
}

/**
 * Writes the case into `dir` (rtss.dcm, rtdose.dcm, case.json) unless `dir` already holds the
 * same case (same spec and generator version); returns the manifest with the file paths.
 */
export function writeLargeCase(dir, options = {}) {
  const spec = largeCaseSpec(options);
  const manifestPath = join(dir, 'case.json');
  const rtss = join(dir, 'rtss.dcm');
  const rtdose = join(dir, 'rtdose.dcm');
  const key = JSON.stringify({ GENERATOR_VERSION, spec });
  if (existsSync(manifestPath) && existsSync(rtss) && existsSync(rtdose)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.key === key && statSync(rtdose).size === manifest.rtdoseBytes) return { ...manifest, rtss, rtdose, reused: true };
  }
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const shapes = largeCaseShapes(spec);
  writeFileSync(`${rtss}.part`, writeStructureSetBytes(largeCaseStructureSet(spec, shapes), WRITE_IDS));
  renameSync(`${rtss}.part`, rtss);
  const maxStored = writeDoseFile(spec, `${rtdose}.part`);
  renameSync(`${rtdose}.part`, rtdose);
  const voxels = spec.columns * spec.rows * spec.frames;
  const manifest = {
    key,
    generatorVersion: GENERATOR_VERSION,
    spec,
    voxels,
    pixelDataBytes: voxels * 4,
    maxDoseGy: maxStored * DOSE_GRID_SCALING,
    rtssBytes: statSync(rtss).size,
    rtdoseBytes: statSync(rtdose).size,
    contours: shapes.reduce((n, s) => n + s.planesZ.length * s.rings.length, 0),
    contourPoints: shapes.reduce((n, s) => n + s.planesZ.length * s.rings.length * s.points, 0),
    generateMs: performance.now() - t0,
    shapes: describeShapes(shapes),
  };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
  return { ...manifest, rtss, rtdose, reused: false };
}
