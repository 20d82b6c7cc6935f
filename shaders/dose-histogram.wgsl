// SPDX-License-Identifier: BSD-3-Clause
// dose-histogram: counts the samples inside each layer's mask into its target's bins, one
// invocation per window row of every layer. Bins are integers (u32 atomics); the CPU turns
// counts into volumes in float64, so GPU and CPU give identical DVHs. The bin of every voxel
// comes precomputed (0xffffffff: outside the binned range), because dicompyler-core's bin edges
// depend on float64 arithmetic that WGSL lacks.

struct Params {
  totalRows: u32,
  rowsPerSlice: u32,
  binCount: u32,
  _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Per global row: first mask word, window width, voxel index of the row's first sample, voxel stride.
@group(0) @binding(1) var<storage, read> rows: array<vec4<u32>>;
// Per global row: histogram target (0xffffffff: count only), layer index.
@group(0) @binding(2) var<storage, read> owners: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read> mask: array<u32>;
@group(0) @binding(4) var<storage, read> bins: array<u32>;
@group(0) @binding(5) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read_write> counted: array<atomic<u32>>;

override WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.x + id.y * params.rowsPerSlice;
  if (row >= params.totalRows) {
    return;
  }
  let info = rows[row];
  let owner = owners[row];
  var n = 0u;
  for (var c = 0u; c < info.y; c = c + 1u) {
    if ((mask[info.x + c / 32u] & (1u << (c % 32u))) == 0u) {
      continue;
    }
    let bin = bins[info.z + c * info.w];
    if (bin == 0xffffffffu) {
      continue;
    }
    n = n + 1u;
    if (owner.x != 0xffffffffu) {
      atomicAdd(&counts[owner.x * params.binCount + bin], 1u);
    }
  }
  if (n > 0u) {
    atomicAdd(&counted[owner.y], n);
  }
}
