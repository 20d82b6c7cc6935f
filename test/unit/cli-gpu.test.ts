// SPDX-License-Identifier: BSD-3-Clause
// `dosekit gpu` through the built bin. Dawn prints driver warnings on stderr from native code, so
// only stdout is parsed. This machine and CI have software adapters only (llvmpipe through
// OpenGL ES; SwiftShader through Vulkan when VK_ICD_FILENAMES names it).
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe/i;
const PROVIDERS = ['navigator.gpu', 'webgpu (Dawn) default backend', 'webgpu (Dawn) OpenGL ES, compatibility mode'];
/** No Vulkan driver (the loader reads only this missing file) and no EGL platform: no adapter at all. */
const NO_ADAPTER = { VK_ICD_FILENAMES: '/nonexistent/dosekit-test-icd.json', EGL_PLATFORM: 'no-such-platform' };

/**
 * Whether an adapter must be found: CI says so (REQUIRE_WEBGPU=1), and Mesa's EGL (as on this
 * machine) always gives Dawn's OpenGL ES path llvmpipe.
 */
const EGL_VENDORS = '/usr/share/glvnd/egl_vendor.d';
const MESA_EGL = existsSync(`${EGL_VENDORS}/50_mesa.json`);
/** Mesa is the only EGL driver (no GPU vendor's EGL that OpenGL ES would pick first). */
const ONLY_MESA_EGL = MESA_EGL && readdirSync(EGL_VENDORS).every((f) => f === '50_mesa.json');
const ADAPTER_EXPECTED = process.env.REQUIRE_WEBGPU === '1' || MESA_EGL;

function expectAttempts(attempts: unknown): void {
  expect(Array.isArray(attempts)).toBe(true);
  for (const a of attempts as { provider: unknown; outcome: unknown }[]) {
    expect(Object.keys(a).sort()).toEqual(['outcome', 'provider']);
    expect(typeof a.provider).toBe('string');
    expect(typeof a.outcome).toBe('string');
    expect(a.outcome).not.toBe('');
  }
}

describe('dosekit gpu', () => {
  it('--json: finds the adapter, flags it software, says why auto keeps the CPU, and gives the limits', (ctx) => {
    const { code, stdout } = runCli(['gpu', '--json']);
    const out = JSON.parse(stdout);
    expect(Object.keys(out).sort()).toEqual(['adapter', 'attempts', 'auto', 'env', 'found', 'limits', 'provider', 'software']);
    expectAttempts(out.attempts);
    if (!ADAPTER_EXPECTED && !out.found) {
      // A machine with neither Mesa's EGL nor a Vulkan driver: the no-adapter shape is tested below.
      expect(code).toBe(1);
      return ctx.skip('no WebGPU adapter and no Mesa EGL (REQUIRE_WEBGPU=1 makes this a failure)');
    }
    expect(code).toBe(0);
    expect(out.found).toBe(true);
    expect(typeof out.adapter).toBe('string');
    expect(PROVIDERS).toContain(out.provider);
    // The last attempt is the provider that found the adapter; the ones before it failed.
    expect(out.attempts.at(-1)).toEqual({ provider: out.provider, outcome: expect.stringContaining(out.adapter) });
    expect(out.attempts.map((a: { provider: string }) => a.provider)).toEqual(PROVIDERS.slice(0, out.attempts.length));
    expect(out.software).toBe(SOFTWARE.test(out.adapter));
    if (out.software) {
      // llvmpipe here, SwiftShader on CI: same numbers, slower than the CPU, so 'auto' keeps the CPU.
      expect(out.auto).toEqual({ backend: 'cpu', adapter: null, reason: expect.stringContaining('software') });
    }
    expect(['cpu', 'webgpu']).toContain(out.auto.backend);
    expect(Object.keys(out.limits).sort()).toEqual([
      'maxBufferSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'workgroupSize',
    ]);
    // WebGPU's guaranteed minimums (compatibility mode included).
    expect(out.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(out.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(128);
    expect(out.limits.workgroupSize).toBeGreaterThanOrEqual(1);
    expect(out.limits.workgroupSize).toBeLessThanOrEqual(out.limits.maxComputeInvocationsPerWorkgroup);
    expect(Object.keys(out.env).sort()).toEqual(['EGL_PLATFORM', 'VK_ICD_FILENAMES']);
  });

  // llvmpipe comes from Mesa's EGL: skipped without it (a failure with REQUIRE_WEBGPU=1, as CI's
  // Chromium brings it), and skipped where another vendor's EGL may be picked before Mesa's.
  it('on this machine: the llvmpipe adapter through OpenGL ES is found and flagged software', (ctx) => {
    if (!MESA_EGL && process.env.REQUIRE_WEBGPU === '1') throw new Error(`REQUIRE_WEBGPU=1 but Mesa's EGL (${EGL_VENDORS}/50_mesa.json) is missing`);
    if (!MESA_EGL) return ctx.skip('no Mesa EGL (REQUIRE_WEBGPU=1 makes this a failure)');
    if (!ONLY_MESA_EGL) return ctx.skip('Mesa is not the only EGL driver, so OpenGL ES may not pick llvmpipe');
    // With no Vulkan driver, Dawn's default backend finds nothing and the OpenGL ES path takes over.
    const { code, stdout } = runCli(['gpu', '--json'], { env: { VK_ICD_FILENAMES: '/nonexistent/dosekit-test-icd.json', EGL_PLATFORM: undefined } });
    const out = JSON.parse(stdout);
    expect(code).toBe(0);
    expect(out.found).toBe(true);
    expect(out.software).toBe(true);
    expect(out.provider).toBe('webgpu (Dawn) OpenGL ES, compatibility mode');
    expect(out.auto.backend).toBe('cpu');
    expect(out.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  it('no adapter at all: exit 1, found false, every provider with why it failed', () => {
    const { code, stdout } = runCli(['gpu', '--json'], { env: NO_ADAPTER });
    expect(code).toBe(1);
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ found: false, adapter: null, software: false, provider: null, limits: null, auto: { backend: 'cpu', adapter: null } });
    expectAttempts(out.attempts);
    expect(out.attempts.map((a: { provider: string }) => a.provider)).toEqual(PROVIDERS);
    expect(out.env).toEqual(NO_ADAPTER);

    const text = runCli(['gpu'], { env: NO_ADAPTER });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('No WebGPU adapter found.');
    for (const p of PROVIDERS) expect(text.stdout).toContain(`  ${p}: `);
  });

  it('prints a readable report without --json', () => {
    const { code, stdout } = runCli(['gpu']);
    expect(stdout).toContain('Providers tried:');
    expect(stdout).toMatch(/'auto' backend: (cpu|webgpu)/);
    if (code === 0) {
      expect(stdout).toMatch(/^WebGPU adapter: /);
      expect(stdout).toMatch(/maxStorageBufferBindingSize\s+\d+ bytes/);
      expect(stdout).toMatch(/maxComputeInvocationsPerWorkgroup\s+\d+/);
    }
  });

  it('--help lists the options; bad arguments are usage errors', () => {
    const help = runCli(['gpu', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: dosekit gpu [--json]');
    expect(help.stdout).toContain('--json');
    expect(help.stdout).toContain('--help');
    expect(runCli(['--help']).stdout).toMatch(/\n {2}gpu\s+/);
    const bad = runCli(['gpu', '--bogus']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error E_USAGE: unknown option --bogus/);
    const extra = runCli(['gpu', 'extra']);
    expect(extra.code).toBe(1);
    expect(extra.stderr).toMatch(/error E_USAGE: dosekit gpu takes no arguments/);
  });
});
