// SPDX-License-Identifier: BSD-3-Clause
// polygon-mask: the even-odd fill of a layer's exact crossings. The crossings (the window columns
// where the inside/outside parity flips on each lattice row) come from the float64 crossing test
// on the CPU, which WGSL cannot reproduce (it has no f64); this kernel turns them into a bit mask,
// one invocation per window row of every layer. Rows start on word boundaries, so no two
// invocations write the same word.

struct Params {
  totalRows: u32,
  rowsPerSlice: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Per global row: first toggle, one past the last toggle, first mask word, window width.
@group(0) @binding(1) var<storage, read> rows: array<vec4<u32>>;
// Window columns of the toggles, ascending within each row (a repeated column cancels).
@group(0) @binding(2) var<storage, read> toggles: array<u32>;
@group(0) @binding(3) var<storage, read_write> mask: array<u32>;

override WORKGROUP_SIZE: u32 = 64u;

fn setBits(firstWord: u32, firstColumn: u32, endColumn: u32) {
  var c = firstColumn;
  while (c < endColumn) {
    let word = c / 32u;
    let bit = c % 32u;
    let span = min(32u - bit, endColumn - c);
    let bits = select(((1u << span) - 1u) << bit, 0xffffffffu, span == 32u);
    mask[firstWord + word] = mask[firstWord + word] | bits;
    c = c + span;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.x + id.y * params.rowsPerSlice;
  if (row >= params.totalRows) {
    return;
  }
  let info = rows[row];
  var inside = false;
  var start = 0u;
  for (var k = info.x; k < info.y; k = k + 1u) {
    let column = min(toggles[k], info.w);
    if (inside) {
      setBits(info.z, start, column);
    }
    inside = !inside;
    start = column;
  }
  if (inside) {
    setBits(info.z, start, info.w);
  }
}
