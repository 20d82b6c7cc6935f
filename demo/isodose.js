// SPDX-License-Identifier: BSD-3-Clause
// Isodose lines by marching squares over one dose plane: line segments, in continuous
// (column, row) voxel indices, where the dose crosses a level (linear along each cell edge).

/**
 * Segments of the `level` isoline of a rows x columns plane (row-major values): a flat array
 * [c0, r0, c1, r1, ...]. Saddle cells are resolved by the cell's mean (the centre decides
 * which corners connect).
 */
export function isolineSegments(values, columns, rows, level) {
  const out = [];
  const at = (c, r) => values[r * columns + c];
  // Where along an edge from value a to value b the level lies (0..1).
  const t = (a, b) => (a === b ? 0.5 : (level - a) / (b - a));
  for (let r = 0; r + 1 < rows; r += 1) {
    for (let c = 0; c + 1 < columns; c += 1) {
      const v0 = at(c, r); // top left
      const v1 = at(c + 1, r); // top right
      const v2 = at(c + 1, r + 1); // bottom right
      const v3 = at(c, r + 1); // bottom left
      const index = (v0 >= level ? 1 : 0) | (v1 >= level ? 2 : 0) | (v2 >= level ? 4 : 0) | (v3 >= level ? 8 : 0);
      if (index === 0 || index === 15) continue;
      // Edge crossing points: top, right, bottom, left.
      const top = () => [c + t(v0, v1), r];
      const right = () => [c + 1, r + t(v1, v2)];
      const bottom = () => [c + t(v3, v2), r + 1];
      const left = () => [c, r + t(v0, v3)];
      const add = (p, q) => out.push(p[0], p[1], q[0], q[1]);
      switch (index) {
        case 1: case 14: add(left(), top()); break;
        case 2: case 13: add(top(), right()); break;
        case 3: case 12: add(left(), right()); break;
        case 4: case 11: add(right(), bottom()); break;
        case 6: case 9: add(top(), bottom()); break;
        case 7: case 8: add(left(), bottom()); break;
        case 5:
        case 10: {
          const centreAbove = (v0 + v1 + v2 + v3) / 4 >= level;
          // 5: top-left and bottom-right above; 10: top-right and bottom-left above.
          if ((index === 5) === centreAbove) {
            add(left(), bottom());
            add(top(), right());
          } else {
            add(left(), top());
            add(right(), bottom());
          }
          break;
        }
        default:
          break;
      }
    }
  }
  return out;
}
