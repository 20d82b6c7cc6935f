// SPDX-License-Identifier: BSD-3-Clause
// Finding the test WebGPU device. With REQUIRE_WEBGPU=1 (as CI sets) a missing adapter fails the
// GPU tests instead of skipping them.
import { type AcquiredDevice, acquireDevice } from '../../src/gpu/device.js';

let probe: Promise<AcquiredDevice | null> | null = null;

/** The test device (software adapters included), or null when none exists and none is required. */
export async function testDevice(): Promise<AcquiredDevice | null> {
  probe ??= (async () => {
    const attempts: { provider: string; outcome: string }[] = [];
    const device = await acquireDevice(attempts);
    if (!device && process.env.REQUIRE_WEBGPU === '1') {
      throw new Error(`REQUIRE_WEBGPU=1 but no WebGPU adapter was found: ${attempts.map((a) => `${a.provider}: ${a.outcome}`).join('; ')}`);
    }
    if (device) console.log(`WebGPU adapter for the GPU tests: ${device.adapter}${device.software ? ' (software)' : ''}`);
    return device;
  })();
  return probe;
}

/**
 * For a test that found no device: skips it, visibly and with the reason, or fails it where
 * REQUIRE_WEBGPU=1 (testDevice already throws there; this covers devices a test acquires itself).
 * Use as `if (!device) return skipWithoutDevice(ctx);`.
 */
export function skipWithoutDevice(ctx: { skip: (note?: string) => never }, what = 'no WebGPU adapter'): never {
  if (process.env.REQUIRE_WEBGPU === '1') throw new Error(`REQUIRE_WEBGPU=1 but ${what}`);
  return ctx.skip(`${what} (REQUIRE_WEBGPU=1 makes this a failure)`);
}
