// SPDX-License-Identifier: BSD-3-Clause
// The CPU trilinear-resample kernel (fallback/trilinear-resample.ts) on hand-made axis tables,
// against the textbook form of trilinear interpolation written here: the sum over the eight
// corners of the source value times the product of its three 1-D weights ((1 - w) for the lower
// neighbour, w for the upper one). A target voxel with any axis outside the source (offset -1)
// gets `outsideValue` instead. The kernel adds into `into`, so every test starts it non-zero.
import { describe, expect, it } from 'vitest';
import { trilinearResample } from '../../fallback/trilinear-resample.js';
import type { ResampleAxisTable, ResampleRequest } from '../../src/kernels/trilinear-resample.js';
import { mulberry32 } from '../helpers/point-in-path.js';

function table(lowerOffset: number[], upperStep: number[], upperWeight: number[]): ResampleAxisTable {
  return { lowerOffset: Int32Array.from(lowerOffset), upperStep: Int32Array.from(upperStep), upperWeight: Float64Array.from(upperWeight) };
}

/** The request's result by the eight-corner formula, added to `start`. */
function reference(request: ResampleRequest, start: Float64Array): Float64Array {
  const out = Float64Array.from(start);
  const { columns, rows, frames, column, row, frame, source, gain, outsideValue } = request;
  for (let f = 0; f < frames; f += 1) {
    for (let r = 0; r < rows; r += 1) {
      for (let c = 0; c < columns; c += 1) {
        const i = (f * rows + r) * columns + c;
        if (column.lowerOffset[c] < 0 || row.lowerOffset[r] < 0 || frame.lowerOffset[f] < 0) {
          out[i] += outsideValue;
          continue;
        }
        let value = 0;
        for (const bf of [0, 1]) {
          for (const br of [0, 1]) {
            for (const bc of [0, 1]) {
              const weight = (bc ? column.upperWeight[c] : 1 - column.upperWeight[c]) * (br ? row.upperWeight[r] : 1 - row.upperWeight[r]) * (bf ? frame.upperWeight[f] : 1 - frame.upperWeight[f]);
              const at = column.lowerOffset[c] + bc * column.upperStep[c] + row.lowerOffset[r] + br * row.upperStep[r] + frame.lowerOffset[f] + bf * frame.upperStep[f];
              value += weight * source[at];
            }
          }
        }
        out[i] += gain * value;
      }
    }
  }
  return out;
}

function expectClose(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  const off: string[] = [];
  for (let i = 0; i < expected.length; i += 1) if (!(Math.abs(actual[i] - expected[i]) <= 1e-9 * (1 + Math.abs(expected[i])))) off.push(`${i}: ${actual[i]} != ${expected[i]}`);
  expect(off).toEqual([]);
}

/** A 3 x 3 x 3 source (column stride 1, row stride 3, frame stride 9) of unrelated values. */
const SOURCE = Float64Array.from({ length: 27 }, (_, i) => ((i * 37) % 29) + 0.25 * ((i * 11) % 7));

describe('trilinearResample on hand-made tables', () => {
  // 4 columns, 3 rows, 5 frames (so rows x columns, rows + columns and the like all differ).
  const request: ResampleRequest = {
    columns: 4,
    rows: 3,
    frames: 5,
    // Column: source column 0 blended with 1; outside; column 1 with 2; column 2 alone.
    column: table([0, -1, 1, 2], [1, 0, 1, 0], [0.3, 0, 0.75, 0]),
    // Row: source row 1 with 2; row 0 with 1; outside.
    row: table([3, 0, -1], [3, 3, 0], [0.6, 0.2, 0]),
    // Frame: frame 0 with 1; outside; frame 1 with 2; frame 2 alone; frame 1 alone.
    frame: table([0, -1, 9, 18, 9], [9, 0, 9, 0, 0], [0.4, 0, 0.5, 0, 0]),
    source: SOURCE,
    gain: 1.5,
    outsideValue: 0.125,
  };
  const start = Float64Array.from({ length: 60 }, (_, i) => 100 + i);

  it('adds gain x the eight-corner blend inside, and outsideValue wherever any axis is outside', () => {
    const into = Float64Array.from(start);
    trilinearResample(request, into);
    expectClose(into, reference(request, start));
  });

  it('hand-worked voxels: a corner voxel, a one-axis blend, and whole outside frames and rows', () => {
    const into = new Float64Array(60);
    trilinearResample(request, into);
    // Frame 3 (source frame 2 alone), row 1 (row 0 with 1 at 0.2), column 3 (column 2 alone):
    // 1.5 x (0.8 x s[18 + 0 + 2] + 0.2 x s[18 + 3 + 2]).
    expect(into[(3 * 3 + 1) * 4 + 3]).toBeCloseTo(1.5 * (0.8 * SOURCE[20] + 0.2 * SOURCE[23]), 12);
    // Frame 4 (source frame 1), row 0 (rows 1-2 at 0.6), column 0 (columns 0-1 at 0.3).
    const s = (c: number, r: number, f: number): number => SOURCE[f * 9 + r * 3 + c];
    const lerp = (a: number, b: number, w: number): number => a + w * (b - a);
    expect(into[(4 * 3 + 0) * 4 + 0]).toBeCloseTo(1.5 * lerp(lerp(s(0, 1, 1), s(1, 1, 1), 0.3), lerp(s(0, 2, 1), s(1, 2, 1), 0.3), 0.6), 12);
    // Frame 1 is outside: all 12 of its voxels get 0.125; so do row 2 and column 1 of every frame.
    expect(Array.from(into.subarray(12, 24))).toEqual(new Array(12).fill(0.125));
    for (const f of [0, 2, 3, 4]) {
      expect(Array.from(into.subarray((f * 3 + 2) * 4, (f * 3 + 3) * 4))).toEqual([0.125, 0.125, 0.125, 0.125]);
      for (const r of [0, 1]) expect(into[(f * 3 + r) * 4 + 1]).toBe(0.125);
    }
    // Every other voxel got a blend of positive values, not the outside value.
    const inside = Array.from(into).filter((v) => v !== 0.125);
    expect(inside.length).toBe(4 * 2 * 3);
    expect(inside.every((v) => v > 1)).toBe(true);
  });

  it('offset 0 is inside on every axis: the first voxel is the source\'s first sample blend', () => {
    const one: ResampleRequest = { ...request, columns: 1, rows: 1, frames: 1, column: table([0], [0], [0]), row: table([0], [0], [0]), frame: table([0], [0], [0]), gain: 2 };
    const into = Float64Array.of(1);
    trilinearResample(one, into);
    expect(into[0]).toBe(1 + 2 * SOURCE[0]);
  });

  it('weight 1 reads only the upper neighbour, weight 0 only the lower', () => {
    const upper: ResampleRequest = { ...request, columns: 1, rows: 1, frames: 1, column: table([0], [1], [1]), row: table([0], [3], [1]), frame: table([0], [9], [1]), gain: 1 };
    const into = new Float64Array(1);
    trilinearResample(upper, into);
    expect(into[0]).toBeCloseTo(SOURCE[13], 12);
    const lower: ResampleRequest = { ...upper, column: table([1], [1], [0]), row: table([3], [3], [0]), frame: table([9], [9], [0]) };
    const into2 = new Float64Array(1);
    trilinearResample(lower, into2);
    expect(into2[0]).toBe(SOURCE[13]);
  });

  it('with every axis outside, only outsideValue is added (frames, rows and columns each)', () => {
    const out = table([-1, -1], [0, 0], [0, 0]);
    for (const which of ['frame', 'row', 'column'] as const) {
      const r: ResampleRequest = { ...request, columns: 2, rows: 2, frames: 2, column: table([0, 1], [1, 1], [0.5, 0.5]), row: table([0, 3], [3, 3], [0.5, 0.5]), frame: table([0, 9], [9, 9], [0.5, 0.5]), [which]: out, outsideValue: -3 };
      const into = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8);
      trilinearResample(r, into);
      expect(Array.from(into)).toEqual([-2, -1, 0, 1, 2, 3, 4, 5]);
    }
  });
});

describe('trilinearResample on random tables', () => {
  it('matches the eight-corner formula on 200 random requests with outside entries on every axis', () => {
    const random = mulberry32(4242);
    const dims = { column: [4, 1], row: [3, 4], frame: [5, 12] } as const; // [source length, stride]
    const source = Float64Array.from({ length: 60 }, () => random() * 10);
    const axis = (count: number, [n, stride]: readonly [number, number]): ResampleAxisTable => {
      const lower: number[] = [];
      const step: number[] = [];
      const weight: number[] = [];
      for (let i = 0; i < count; i += 1) {
        const kind = random();
        if (kind < 0.15) {
          lower.push(-1);
          step.push(0);
          weight.push(0);
        } else if (kind < 0.3) {
          lower.push(Math.floor(random() * n) * stride);
          step.push(0);
          weight.push(0);
        } else {
          lower.push(Math.floor(random() * (n - 1)) * stride);
          step.push(stride);
          weight.push(random());
        }
      }
      return table(lower, step, weight);
    };
    for (let trial = 0; trial < 200; trial += 1) {
      const columns = 1 + Math.floor(random() * 5);
      const rows = 1 + Math.floor(random() * 4);
      const frames = 1 + Math.floor(random() * 4);
      const request: ResampleRequest = {
        columns,
        rows,
        frames,
        column: axis(columns, dims.column),
        row: axis(rows, dims.row),
        frame: axis(frames, dims.frame),
        source,
        gain: 0.1 + random(),
        outsideValue: random() * 3,
      };
      const start = Float64Array.from({ length: columns * rows * frames }, () => random() * 5);
      const into = Float64Array.from(start);
      trilinearResample(request, into);
      expectClose(into, reference(request, start));
    }
  });
});
