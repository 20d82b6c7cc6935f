// SPDX-License-Identifier: BSD-3-Clause
// Synthetic RT cases generated in code (no big files in the repository): a dose grid as the
// model object and a structure set of polygon stacks.
import { DoseGrid } from '../../dist/src/index.js';

/**
 * An HFS dose grid of columns x rows x frames voxels at `spacingMm`, stored as uint32 with a
 * smooth field (a broad Gaussian plus a gradient) of maximum about `maxGy`.
 */
export function syntheticDoseGrid({ columns, rows, frames, spacingMm = [2, 2, 2], maxGy = 60 }) {
  const [dx, dy, dz] = spacingMm;
  const origin = [-(columns - 1) * dx / 2, -(rows - 1) * dy / 2, -(frames - 1) * dz / 2];
  const scaling = maxGy / 4e6;
  const pixels = new Uint32Array(columns * rows * frames);
  const sigma = (Math.min(columns * dx, rows * dy) / 4) ** 2;
  for (let k = 0; k < frames; k += 1) {
    const z = origin[2] + k * dz;
    for (let j = 0; j < rows; j += 1) {
      const y = origin[1] + j * dy;
      for (let i = 0; i < columns; i += 1) {
        const x = origin[0] + i * dx;
        const gy = maxGy * (0.85 * Math.exp(-(x * x + y * y + 0.5 * z * z) / (2 * sigma)) + 0.15 * (0.5 + x / (columns * dx)));
        pixels[(k * rows + j) * columns + i] = Math.round(Math.max(0, gy) / scaling);
      }
    }
  }
  const frameOffsetsMm = Float64Array.from({ length: frames }, (_, k) => k * dz);
  const geometry = Object.freeze({
    rows, columns, frames,
    originMm: origin,
    rowCosines: [1, 0, 0],
    columnCosines: [0, 1, 0],
    pixelSpacingMm: [dy, dx],
    frameOffsetsMm,
    frameZMm: Float64Array.from(frameOffsetsMm, (o) => origin[2] + o),
    orientation: 'HFS', xLutIndex: 0, headFirst: true,
  });
  return new DoseGrid(geometry, pixels, scaling, { sopInstanceUid: '2.25.1', doseUnits: 'GY', doseType: 'PHYSICAL', summationType: 'PLAN', frameOfReferenceUid: '2.25.2', source: 'synthetic' });
}

/** A ring of `points` vertices: an ellipse with a little wobble so edges are not axis-aligned. */
function ring(cx, cy, rx, ry, points, z, phase) {
  const out = new Float64Array(points * 3);
  for (let p = 0; p < points; p += 1) {
    const t = (2 * Math.PI * p) / points;
    const wobble = 1 + 0.05 * Math.sin(5 * t + phase);
    out[p * 3] = cx + rx * wobble * Math.cos(t);
    out[p * 3 + 1] = cy + ry * wobble * Math.sin(t);
    out[p * 3 + 2] = z;
  }
  return out;
}

/**
 * `count` ROIs: ellipsoids of varied size and position, each a stack of `points`-vertex contours
 * on every plane `planeSpacingMm` apart within the grid; every fifth ROI has a hole.
 */
export function syntheticStructureSet(grid, { count, points = 200, planeSpacingMm = 2 }) {
  const g = grid.geometry;
  const halfX = ((g.columns - 1) * g.pixelSpacingMm[1]) / 2;
  const halfY = ((g.rows - 1) * g.pixelSpacingMm[0]) / 2;
  const z0 = g.frameZMm[0];
  const z1 = g.frameZMm[g.frames - 1];
  const rois = [];
  for (let r = 0; r < count; r += 1) {
    const size = 0.08 + 0.5 * ((r * 37) % 100) / 100; // fraction of the half-extent
    const rx = halfX * size;
    const ry = halfY * size * 0.8;
    const rz = (z1 - z0) / 2 * Math.min(0.9, size * 1.2);
    const cx = halfX * 0.3 * Math.sin(r);
    const cy = halfY * 0.3 * Math.cos(r * 1.7);
    const cz = (z0 + z1) / 2;
    const planes = [];
    for (let z = Math.ceil((cz - rz) / planeSpacingMm) * planeSpacingMm; z <= cz + rz; z += planeSpacingMm) {
      const f = Math.sqrt(Math.max(0, 1 - ((z - cz) / rz) ** 2));
      if (f < 0.05) continue;
      const contours = [{ geometricType: 'CLOSED_PLANAR', pointsMm: ring(cx, cy, rx * f, ry * f, points, z, r), pointCount: points }];
      if (r % 5 === 4 && f > 0.5) contours.push({ geometricType: 'CLOSED_PLANAR', pointsMm: ring(cx, cy, rx * f * 0.4, ry * f * 0.4, points, z, r + 1), pointCount: points });
      planes.push({ zMm: Number(z.toFixed(2)), key: `${Number(z.toFixed(2)).toFixed(2)}`, contours });
    }
    rois.push({ number: r + 1, name: `ROI ${r + 1}`, color: [(r * 53) % 256, (r * 97) % 256, (r * 151) % 256], colorFromFile: true, planes, empty: false });
  }
  return { sopInstanceUid: '2.25.3', label: 'synthetic', frameOfReferenceUid: '2.25.2', rois, source: 'synthetic' };
}
