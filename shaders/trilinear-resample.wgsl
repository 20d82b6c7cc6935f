// SPDX-License-Identifier: BSD-3-Clause
// trilinear-resample: one invocation per target voxel of a slab of target frames. Each target
// axis reads the source through its table (built in float64 on the host): the element offset of
// the lower neighbour (-1 outside the source), the step to the upper neighbour and the upper
// neighbour's weight. The kernel writes the trilinear blend of the stored source values (no
// gain) in the CPU's order (column, then row, then frame, each as a + w * (b - a), so weight 0
// gives a exactly), or 0 where a table says outside; the host applies the gain in float64 and
// adds the outside value itself.

struct Params {
  columns: u32,
  rows: u32,
  // Target frames in this slab, and the first of them.
  slabFrames: u32,
  firstFrame: u32,
  itemsPerSlice: u32,
  // Where the row and frame entries start in `tables` (the column entries start at 0).
  rowTable: u32,
  frameTable: u32,
  // Source element offset of `source[0]`: table offsets are rebased by it.
  sourceBase: i32,
}

struct AxisEntry {
  lowerOffset: i32,
  upperStep: i32,
  upperWeight: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Column entries, then row entries, then the entries of every target frame.
@group(0) @binding(1) var<storage, read> tables: array<AxisEntry>;
// The contiguous source sub-block this slab reads, from element `sourceBase`.
@group(0) @binding(2) var<storage, read> source: array<f32>;
// One value per target voxel of the slab, frame-major.
@group(0) @binding(3) var<storage, read_write> blended: array<f32>;

override WORKGROUP_SIZE: u32 = 64u;

fn alongColumn(p: u32, step: u32, w: f32) -> f32 {
  let a = source[p];
  return a + w * (source[p + step] - a);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let index = id.x + id.y * params.itemsPerSlice;
  if (index >= params.columns * params.rows * params.slabFrames) {
    return;
  }
  let column = index % params.columns;
  let plane = index / params.columns;
  let row = plane % params.rows;
  let frame = params.firstFrame + plane / params.rows;
  let c = tables[column];
  let r = tables[params.rowTable + row];
  let f = tables[params.frameTable + frame];
  if (c.lowerOffset < 0 || r.lowerOffset < 0 || f.lowerOffset < 0) {
    blended[index] = 0.0;
    return;
  }
  // Rebase first: each offset fits an i32, their sum need not.
  let p = u32(f.lowerOffset - params.sourceBase + r.lowerOffset + c.lowerOffset);
  let cs = u32(c.upperStep);
  let rs = u32(r.upperStep);
  let q = p + u32(f.upperStep);
  let v00 = alongColumn(p, cs, c.upperWeight);
  let v01 = alongColumn(p + rs, cs, c.upperWeight);
  let v10 = alongColumn(q, cs, c.upperWeight);
  let v11 = alongColumn(q + rs, cs, c.upperWeight);
  let v0 = v00 + r.upperWeight * (v01 - v00);
  let v1 = v10 + r.upperWeight * (v11 - v10);
  blended[index] = v0 + f.upperWeight * (v1 - v0);
}
