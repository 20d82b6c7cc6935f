// SPDX-License-Identifier: BSD-3-Clause
// The built `dosekit` CLI under Deno (the npm `deno` devDependency, through
// scripts/dosekit-deno.sh, which holds the flags) gives what it gives under Node: the same
// DVH JSON, the same `info --json`, and a `sum` whose doses read back identical. Skipped when
// node_modules/.bin/deno is missing, unless REQUIRE_DENO=1 (as CI sets), which fails instead.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DoseGrid } from '../../src/model/dose-grid.js';
import { ROOT, runCli } from '../helpers/cli.js';

const DENO = join(ROOT, 'node_modules', '.bin', 'deno');
const present = existsSync(DENO);
const required = process.env.REQUIRE_DENO === '1';

const RTSS = 'examples/rtss.dcm';
const RTDOSE = 'examples/rtdose_substitute.dcm';
const SHIFTED = 'examples/rtdose_shifted.dcm';
const DVH = ['dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--format', 'json'];

let work = '';

/** Runs the built CLI under Deno, as scripts/dosekit-deno.sh does for users. */
function runDeno(args: readonly string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync('bash', [join(ROOT, 'scripts', 'dosekit-deno.sh'), ...args], {
    cwd: ROOT,
    // A fresh DENO_DIR: a cold cache must work without network (CI has none beyond npm).
    env: { ...process.env, DENO: DENO, DENO_DIR: join(work, 'deno-dir'), NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function json(run: { code: number; stdout: string; stderr: string }): any {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout.slice(0, 300)}\nstderr: ${run.stderr}`);
  }
}

function pixelDigest(grid: DoseGrid): string {
  const { buffer, byteOffset, byteLength } = grid.pixels;
  return createHash('sha256').update(new Uint8Array(buffer, byteOffset, byteLength)).digest('hex');
}

describe.skipIf(!present && !required)('dosekit under Deno', () => {
  let nodeDvh: { code: number; stdout: string; stderr: string };

  beforeAll(() => {
    if (!present) throw new Error(`REQUIRE_DENO=1 but ${DENO} is missing: run npm ci (the deno devDependency brings it)`);
    work = mkdtempSync(join(tmpdir(), 'dosekit-deno-'));
    const version = spawnSync(DENO, ['--version'], { encoding: 'utf8' });
    expect(version.status, version.stderr).toBe(0);
    console.log(version.stdout.split('\n')[0]);
    nodeDvh = runCli([...DVH, '--backend', 'cpu']);
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('dvh --backend cpu: the same JSON as Node, every ROI and statistic', () => {
    const deno = runDeno([...DVH, '--backend', 'cpu']);
    expect(deno.stderr).toBe(nodeDvh.stderr);
    expect(deno.code).toBe(nodeDvh.code); // 2: ROI 2 "Areola" has no contours
    const [n, d] = [json(nodeDvh), json(deno)];
    expect(d.backend).toEqual({ kind: 'cpu' });
    expect(n.dvhs.length).toBeGreaterThanOrEqual(9);
    expect(d.dvhs.map((r: any) => r.name)).toEqual(n.dvhs.map((r: any) => r.name));
    for (const [i, roi] of n.dvhs.entries()) {
      const other = d.dvhs[i];
      expect({ volumeCm3: other.volumeCm3, minGy: other.minGy, maxGy: other.maxGy, meanGy: other.meanGy, stats: other.stats }, roi.name).toEqual({
        volumeCm3: roi.volumeCm3,
        minGy: roi.minGy,
        maxGy: roi.maxGy,
        meanGy: roi.meanGy,
        stats: roi.stats,
      });
    }
    expect(d).toEqual(n); // curves, errors and the rest too
  });

  it('dvh --backend auto: falls back quietly (same output as the CPU) without a hardware adapter', () => {
    const deno = runDeno([...DVH, '--backend', 'auto']);
    expect(deno.stderr).toBe(nodeDvh.stderr);
    expect(deno.code).toBe(nodeDvh.code);
    const [n, d] = [json(nodeDvh), json(deno)];
    if (d.backend.kind === 'cpu') expect(d).toEqual(n);
    else expect(d.backend.software).toBe(false); // a hardware GPU: the webgpu test below covers its numbers
  });

  it("dvh --backend webgpu: computes on Deno's navigator.gpu within the GPU parity tolerances, or says E_GPU_UNAVAILABLE", (ctx) => {
    const rois = ['--roi', 'Tumor Bed', '--roi', 'Heart'];
    const deno = runDeno([...DVH, ...rois, '--backend', 'webgpu']);
    if (deno.code === 1 && process.env.REQUIRE_WEBGPU !== '1') {
      expect(deno.stderr).toMatch(/E_GPU_UNAVAILABLE/);
      return ctx.skip('no WebGPU adapter in Deno (REQUIRE_WEBGPU=1 makes this a failure)');
    }
    expect(deno.code, deno.stderr).toBe(0);
    const d = json(deno);
    const c = json(runCli([...DVH, ...rois, '--backend', 'cpu']));
    expect(d.backend.kind).toBe('webgpu');
    console.log(`Deno WebGPU adapter: ${d.backend.adapter}${d.backend.software ? ' (software)' : ''}`);
    expect(d.dvhs.map((r: any) => r.name)).toEqual(['Tumor Bed', 'Heart']);
    for (const [i, roi] of c.dvhs.entries()) {
      const other = d.dvhs[i];
      // As test/parity/webgpu-node.test.ts: float32 on the GPU, float64 on the CPU.
      expect(other.volumeCm3).toBeCloseTo(roi.volumeCm3, 9);
      expect(Math.abs(other.meanGy - roi.meanGy) / roi.meanGy).toBeLessThan(1e-6);
      for (const [name, stat] of Object.entries<any>(roi.stats)) expect(Math.abs(other.stats[name].value - stat.value), `${roi.name} ${name}`).toBeLessThan(0.00005);
    }
  });

  it('info --json: the same description of every example file', () => {
    const files = [RTSS, RTDOSE, 'examples/rtplan.dcm', 'examples/ct.0.dcm'];
    const node = runCli(['info', '--json', ...files]);
    const deno = runDeno(['info', '--json', ...files]);
    expect(node.code, node.stderr).toBe(0);
    expect(deno.code, deno.stderr).toBe(0);
    expect(deno.stderr).toBe(node.stderr);
    const [n, d] = [json(node), json(deno)];
    expect(n.files).toHaveLength(4);
    expect(d).toEqual(n);
  });

  it('sum: writes an RT Dose whose doses read back identical to Node’s (new UIDs apart)', async () => {
    const args = ['sum', RTDOSE, SHIFTED, '--backend', 'cpu', '--json', '-o'];
    const node = runCli([...args, join(work, 'node.dcm')]);
    const deno = runDeno([...args, join(work, 'deno.dcm')]);
    expect(node.code, node.stderr).toBe(0);
    expect(deno.code, deno.stderr).toBe(0);
    const strip = ({ output, sopInstanceUid, seconds, ...rest }: any) => rest;
    const [n, d] = [json(node), json(deno)];
    expect(strip(d)).toEqual(strip(n));

    const [a, b] = await Promise.all([DoseGrid.fromFile(join(work, 'node.dcm')), DoseGrid.fromFile(join(work, 'deno.dcm'))]);
    expect(b.info.sopInstanceUid).not.toBe(a.info.sopInstanceUid); // two files, not one read twice
    expect(b.info.sopInstanceUid).toBe(d.sopInstanceUid);
    expect(statSync(join(work, 'deno.dcm')).size).toBe(statSync(join(work, 'node.dcm')).size);
    expect(b.shape).toEqual(a.shape);
    expect(b.doseGridScaling).toBe(a.doseGridScaling);
    expect(b.maxDoseGy).toBe(a.maxDoseGy);
    expect(b.maxDoseGy).toBeCloseTo(n.maxDoseGy, 3);
    expect(b.pixels.constructor).toBe(a.pixels.constructor);
    expect(pixelDigest(b)).toBe(pixelDigest(a));
  });
});
