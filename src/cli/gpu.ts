// SPDX-License-Identifier: BSD-3-Clause
// `dosekit gpu`: which WebGPU adapter dosekit finds, how, what 'auto' makes of it, and the
// device limits the kernels depend on.
import { createBackend, probeWebGpu } from '../backend/create-backend.js';
import { DosekitError } from '../errors.js';
import { type AcquireAttempt, acquireDevice } from '../gpu/device.js';
import { type OptionSpec, formatHelp, parseArgs } from './args.js';
import type { CliIo } from './io.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', kind: 'flag', description: 'print JSON instead of text' },
  { name: 'help', kind: 'flag', alias: 'h', description: 'show this help' },
];

/** The order in which src/gpu/device.ts tries providers (attempts list only the ones that failed). */
const PROVIDERS = ['navigator.gpu', 'webgpu (Dawn) default backend', 'webgpu (Dawn) OpenGL ES, compatibility mode'] as const;

/** The device limits dosekit's kernels depend on (as the device dosekit creates has them). */
export interface GpuLimits {
  /** Largest storage buffer one binding may see: the dose bins and histograms of one batch must fit. */
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  /** The workgroup size dosekit's kernels use on this device. */
  readonly workgroupSize: number;
}

/** What `dosekit gpu --json` prints. */
export interface GpuReport {
  /** True when some WebGPU adapter (software ones included) was found. */
  readonly found: boolean;
  readonly adapter: string | null;
  /** True for software adapters (SwiftShader, llvmpipe, lavapipe): correct results, not GPU speed. */
  readonly software: boolean;
  /** The provider that gave the adapter, or null. */
  readonly provider: string | null;
  /** Every provider tried, in order, with its outcome (the last one is the one that found the adapter). */
  readonly attempts: readonly AcquireAttempt[];
  /** What `--backend auto` (the default) would compute on, and why. */
  readonly auto: { readonly backend: 'cpu' | 'webgpu'; readonly adapter: string | null; readonly reason: string };
  readonly limits: GpuLimits | null;
  /** Why the limits are missing when an adapter was found (device creation failed a second time). */
  readonly limitsError?: string;
  /** The environment variables that steer Dawn's drivers, as set when dosekit started. */
  readonly env: { readonly VK_ICD_FILENAMES: string | null; readonly EGL_PLATFORM: string | null };
}

/**
 * The limits of a device on the same adapter. probeWebGpu() does not hand out its device, so a
 * second one is created here the same way (same providers, same order) and destroyed again.
 */
async function deviceLimits(): Promise<{ limits: GpuLimits | null; error?: string }> {
  try {
    const acquired = await acquireDevice([]);
    if (!acquired) return { limits: null, error: 'a second device could not be created on the adapter' };
    const l = acquired.device.limits;
    const limits: GpuLimits = {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      workgroupSize: acquired.maxWorkgroupSize,
    };
    if (acquired.owned) acquired.device.destroy();
    return { limits };
  } catch (error) {
    return { limits: null, error: (error as Error).message };
  }
}

/** Collects the `dosekit gpu` report. */
export async function gpuReport(): Promise<GpuReport> {
  // Before probing: device.ts sets EGL_PLATFORM for Dawn's OpenGL ES path when it is unset.
  const env = { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? null, EGL_PLATFORM: process.env.EGL_PLATFORM ?? null };
  const probe = await probeWebGpu();
  const attempts: AcquireAttempt[] = [...probe.attempts];
  let provider: string | null = null;
  if (probe.adapter) {
    const failed = new Set(attempts.map((a) => a.provider));
    provider = PROVIDERS.find((p) => !failed.has(p)) ?? 'unknown provider';
    attempts.push({ provider, outcome: `adapter found: ${probe.adapter}${probe.software ? ' (software)' : ''}` });
  }

  const auto = await createBackend({ backend: 'auto' });
  const autoInfo = auto.info;
  auto.dispose();
  let reason: string;
  if (autoInfo.kind === 'webgpu') reason = `a hardware WebGPU adapter was found (${autoInfo.adapter ?? 'unnamed'}).`;
  else if (probe.adapter && probe.software) {
    reason = `the only WebGPU adapter is a software one (${probe.adapter}): it gives the same numbers more slowly than the CPU fallback, so 'auto' uses the CPU. --backend webgpu uses it anyway.`;
  } else if (probe.adapter) reason = `'auto' found no hardware adapter through the providers it tries (the OpenGL ES path is used only by --backend webgpu); --backend webgpu uses ${probe.adapter}.`;
  else reason = 'no WebGPU adapter was found, so the CPU fallback computes (same results).';

  const { limits, error } = probe.adapter ? await deviceLimits() : { limits: null, error: undefined };
  return {
    found: probe.adapter !== null,
    adapter: probe.adapter,
    software: probe.software,
    provider,
    attempts,
    auto: { backend: autoInfo.kind, adapter: autoInfo.adapter ?? null, reason },
    limits,
    ...(error ? { limitsError: error } : {}),
    env,
  };
}

function bytes(n: number): string {
  if (n >= 2 ** 30) return `${n} bytes (${(n / 2 ** 30).toFixed(2).replace(/\.?0+$/, '')} GiB)`;
  if (n >= 2 ** 20) return `${n} bytes (${(n / 2 ** 20).toFixed(2).replace(/\.?0+$/, '')} MiB)`;
  return `${n} bytes`;
}

function formatText(report: GpuReport): string {
  const lines: string[] = [];
  if (report.found) {
    lines.push(`WebGPU adapter: ${report.adapter}`);
    lines.push(`  ${report.software ? 'software adapter: correct results, but its timings are CPU emulation, not GPU speed' : 'hardware adapter'}`);
    lines.push(`  found by: ${report.provider}`);
  } else {
    lines.push('No WebGPU adapter found.');
  }
  lines.push('', 'Providers tried:');
  for (const a of report.attempts) lines.push(`  ${a.provider}: ${a.outcome}`);
  lines.push('', `'auto' backend: ${report.auto.backend}${report.auto.adapter ? ` (${report.auto.adapter})` : ''}`, `  ${report.auto.reason}`);
  if (report.limits) {
    const l = report.limits;
    lines.push(
      '',
      'Device limits (as dosekit creates the device):',
      `  maxStorageBufferBindingSize        ${bytes(l.maxStorageBufferBindingSize)}`,
      `  maxBufferSize                      ${bytes(l.maxBufferSize)}`,
      `  maxComputeInvocationsPerWorkgroup  ${l.maxComputeInvocationsPerWorkgroup}`,
      `  maxComputeWorkgroupSizeX           ${l.maxComputeWorkgroupSizeX}`,
      `  maxComputeWorkgroupsPerDimension   ${l.maxComputeWorkgroupsPerDimension}`,
      `  workgroup size dosekit uses        ${l.workgroupSize}`,
    );
  } else if (report.limitsError) {
    lines.push('', `Device limits: unavailable (${report.limitsError})`);
  }
  if (!report.found) {
    lines.push(
      '',
      'dosekit computes the same results on the CPU (--backend cpu). In Node, WebGPU comes from the optional',
      '`webgpu` package (Dawn): it needs a Vulkan driver (a GPU driver, or a software one named by VK_ICD_FILENAMES),',
      'or OpenGL ES through EGL (Mesa).',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `dosekit gpu [--json]`: exit 0 when an adapter is found, 1 when none. */
export async function runGpu(argv: readonly string[], io: CliIo): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'gpu');
  if (options.help) {
    io.stdout(
      formatHelp(
        'dosekit gpu [--json]',
        "Show the WebGPU adapter dosekit finds (and every provider tried), whether it is a software adapter, what the default 'auto' backend would use, and the device limits that matter. Exit code 0 when an adapter is found, 1 when none.",
        OPTIONS,
      ),
    );
    return 0;
  }
  if (positionals.length > 0) throw new DosekitError('E_USAGE', `dosekit gpu takes no arguments (got ${JSON.stringify(positionals[0])}); see \`dosekit gpu --help\`.`);
  const report = await gpuReport();
  io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report));
  return report.found ? 0 : 1;
}
