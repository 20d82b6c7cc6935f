// SPDX-License-Identifier: BSD-3-Clause
// Summing two RT Doses with the library's sumDoseGrids: the second is resampled (trilinear) onto
// the first's voxels when their grids differ, on the chosen backend.
import { sumDoseGrids } from '../dist/src/index.js';
import { baseName } from './util.js';

/**
 * The sum of dose entries `a` and `b` ({name, grid}) as a dose entry {name, grid, derived: true,
 * summary}, with how it was made and how long it took.
 */
export async function sumDoses(a, b, backend) {
  const started = performance.now();
  const grid = await sumDoseGrids([a.grid, b.grid], { backend });
  const ms = performance.now() - started;
  const derivation = grid.info.derivation;
  const resampled = derivation.inputs.filter((input) => input.resampled).map((input) => baseName(input.source));
  const how = resampled.length ? `${resampled.join(', ')} resampled (trilinear) onto the grid of ${a.name}` : 'voxel by voxel (the grids coincide)';
  const on = derivation.backend.kind === 'webgpu' ? 'WebGPU' : 'the CPU';
  return {
    name: `sum of ${a.name} + ${b.name}`,
    grid,
    derived: true,
    summary: `${how}; computed on ${on} in ${(ms / 1000).toFixed(2)} s`,
    warnings: derivation.warnings,
  };
}
