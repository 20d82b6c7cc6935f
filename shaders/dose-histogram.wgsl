// SPDX-License-Identifier: BSD-3-Clause
// dose-histogram: bins the samples inside each layer's mask into its target, one invocation per
// window row of every layer. Two variants (wgsl-preprocessor):
// - point (the dicompyler algorithm): the bin of every voxel comes precomputed on the CPU,
//   because dicompyler-core's bin edges depend on float64 arithmetic WGSL lacks; counts are u32
//   atomics, so GPU and CPU histograms are identical.
// - SPREAD (the precise algorithm): the dose is interpolated at each sample (bilinear in-plane,
//   linear between two frames) and the sample's unit mass is spread uniformly over the dose
//   interval its cell spans, accumulated as ramps in 64-bit fixed point (two u32 words, carry by
//   hand) so no float atomics are needed; f32 arithmetic makes these agree with the CPU's float64
//   to about 1e-7 of the volume, not bit for bit.

#if SPREAD
struct Params {
  totalRows: u32,
  rowsPerSlice: u32,
  binCount: u32,
  rampsOffset: u32,
  countedOffset: u32,
  extremesOffset: u32,
  _pad0: u32,
  _pad1: u32,
}

struct Job {
  lowerOffset: u32,
  upperOffset: u32,
  columns: u32,
  transposed: u32,
  nx: u32,
  ny: u32,
  factorX: f32,
  factorY: f32,
  fraction: f32,
  inverseFrameGap: f32,
  voxelX: f32,
  voxelY: f32,
  cellX: f32,
  cellY: f32,
  cellZ: f32,
  _pad1: u32,
}

// Ramp accumulators count in units of 2^-24 of a sample; cells narrower than MIN_SPREAD bins are
// counted as points, which keeps every ramp term below 2^30.
const FIXED_ONE: f32 = 16777216.0;
const MIN_SPREAD: f32 = 0.015625;

@group(0) @binding(0) var<uniform> params: Params;
// Two entries per global row: (first mask word, window width, job, lattice row) and
// (first window column, target or 0xffffffff, layer, unused).
@group(0) @binding(1) var<storage, read> rows: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;
// Dose of every voxel of the frames used, in bins.
@group(0) @binding(3) var<storage, read> dose: array<f32>;
@group(0) @binding(4) var<storage, read> jobs: array<Job>;
// All results in one buffer (few storage bindings fit every adapter):
// counts [target][bin]; from rampsOffset, per target and edge k (binCount + 1), 4 accumulators of
// 2 words (constant +, constant -, slope +, slope -); from countedOffset, samples per layer; from
// extremesOffset, per target the smallest and largest sample dose (bins) as f32 bit patterns,
// which order like u32 for non-negative values.
@group(0) @binding(5) var<storage, read_write> results: array<atomic<u32>>;

fn add64(index: u32, value: u32) {
  let at = params.rampsOffset + index * 2u;
  let old = atomicAdd(&results[at], value);
  if (old + value < old) {
    atomicAdd(&results[at + 1u], 1u);
  }
}

fn voxel(job: Job, i: u32, j: u32) -> u32 {
  return select(j * job.columns + i, i * job.columns + j, job.transposed != 0u);
}

fn frameValue(job: Job, index: u32) -> vec2<f32> {
  return vec2<f32>(dose[job.lowerOffset + index], dose[job.upperOffset + index]);
}

override WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.x + id.y * params.rowsPerSlice;
  if (row >= params.totalRows) {
    return;
  }
  let info = rows[row * 2u];
  let owner = rows[row * 2u + 1u];
  let job = jobs[info.z];
  let binCount = f32(params.binCount);
  let edges = params.binCount + 1u;
  let v = clamp((f32(info.w) + 0.5) / job.factorY - 0.5, 0.0, f32(job.ny - 1u));
  let j0 = min(u32(floor(v)), max(job.ny, 2u) - 2u);
  let ty = select(0.0, v - f32(j0), job.ny > 1u);
  let j1 = select(j0, j0 + 1u, job.ny > 1u);
  var n = 0u;
  for (var c = 0u; c < info.y; c = c + 1u) {
    if ((mask[info.x + c / 32u] & (1u << (c % 32u))) == 0u) {
      continue;
    }
    let i = owner.x + c;
    let u = clamp((f32(i) + 0.5) / job.factorX - 0.5, 0.0, f32(job.nx - 1u));
    let i0 = min(u32(floor(u)), max(job.nx, 2u) - 2u);
    let tx = select(0.0, u - f32(i0), job.nx > 1u);
    let i1 = select(i0, i0 + 1u, job.nx > 1u);
    let a00 = frameValue(job, voxel(job, i0, j0));
    let a10 = frameValue(job, voxel(job, i1, j0));
    let a01 = frameValue(job, voxel(job, i0, j1));
    let a11 = frameValue(job, voxel(job, i1, j1));
    let f = job.fraction;
    let v00 = a00.x + f * (a00.y - a00.x);
    let v10 = a10.x + f * (a10.y - a10.x);
    let v01 = a01.x + f * (a01.y - a01.x);
    let v11 = a11.x + f * (a11.y - a11.x);
    let low = v00 + tx * (v10 - v00);
    let high = v01 + tx * (v11 - v01);
    let center = low + ty * (high - low);
    let gx = select(0.0, (1.0 - ty) * (v10 - v00) + ty * (v11 - v01), job.nx > 1u) / job.voxelX;
    let gy = select(0.0, high - low, job.ny > 1u) / job.voxelY;
    let s00 = a00.y - a00.x;
    let s10 = a10.y - a10.x;
    let s01 = a01.y - a01.x;
    let s11 = a11.y - a11.x;
    let sLow = s00 + tx * (s10 - s00);
    let sHigh = s01 + tx * (s11 - s01);
    let gz = (sLow + ty * (sHigh - sLow)) * job.inverseFrameGap;
    let half = 0.5 * length(vec3<f32>(gx * job.cellX, gy * job.cellY, gz * job.cellZ));
    var lo = center - half;
    var hi = center + half;
    if (!(hi >= 0.0 && lo <= binCount)) {
      continue;
    }
    n = n + 1u;
    if (owner.y == 0xffffffffu) {
      continue;
    }
    let bits = bitcast<u32>(max(center, 0.0));
    atomicMin(&results[params.extremesOffset + owner.y * 2u], bits);
    atomicMax(&results[params.extremesOffset + owner.y * 2u + 1u], bits);
    lo = max(lo, 0.0);
    hi = min(hi, binCount);
    if (hi - lo < MIN_SPREAD) {
      atomicAdd(&results[owner.y * params.binCount + min(u32(floor(lo)), params.binCount - 1u)], 1u);
      continue;
    }
    let density = 1.0 / (hi - lo);
    let k0 = u32(ceil(lo));
    let k1 = u32(ceil(hi));
    let slope = u32(round(density * FIXED_ONE));
    let base = owner.y * edges * 4u;
    add64(base + k0 * 4u + 0u, u32(round(density * (f32(k0) - lo) * FIXED_ONE)));
    add64(base + k0 * 4u + 2u, slope);
    add64(base + k1 * 4u + 1u, u32(round(density * (f32(k1) - hi) * FIXED_ONE)));
    add64(base + k1 * 4u + 3u, slope);
  }
  if (n > 0u) {
    atomicAdd(&results[params.countedOffset + owner.z], n);
  }
}
#else
struct Params {
  totalRows: u32,
  rowsPerSlice: u32,
  binCount: u32,
  countedOffset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Two entries per global row: (first mask word, window width, voxel index of the row's first
// sample, voxel stride) and (histogram target or 0xffffffff to count only, layer, unused, unused).
@group(0) @binding(1) var<storage, read> rows: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;
@group(0) @binding(3) var<storage, read> bins: array<u32>;
// counts [target][bin], then from countedOffset the samples counted per layer.
@group(0) @binding(4) var<storage, read_write> results: array<atomic<u32>>;

override WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.x + id.y * params.rowsPerSlice;
  if (row >= params.totalRows) {
    return;
  }
  let info = rows[row * 2u];
  let owner = rows[row * 2u + 1u];
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
      atomicAdd(&results[owner.x * params.binCount + bin], 1u);
    }
  }
  if (n > 0u) {
    atomicAdd(&results[params.countedOffset + owner.y], n);
  }
}
#endif
