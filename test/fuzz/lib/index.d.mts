// SPDX-License-Identifier: BSD-3-Clause
// Types of test/fuzz/lib/index.mjs, for test/fuzz/*.test.ts.

/** One fuzz case. */
export interface FuzzCase {
  readonly id: string;
  readonly family: string;
  readonly seed: number;
  readonly describe?: string;
}

/** A finished child process, as the runner saw it. */
export interface ChildResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
  readonly rssKiB: number | null;
  readonly timedOut: boolean;
  readonly interrupted: boolean;
}

export declare const LIMITS: { readonly timeMs: number; readonly wallFactor: number; readonly rssMiB: number; readonly heapMiB: number };
export declare const DEFAULT_SEED: number;
export declare const FAMILIES: Record<string, { make: (seed: number, count: number) => FuzzCase[]; ci: number; prepare?: () => Promise<unknown>; cleanup?: () => Promise<void> }>;
export declare function suiteSeed(env?: NodeJS.ProcessEnv): number;
export declare function suiteCases(fallback: number, env?: NodeJS.ProcessEnv): number;
export declare function familyCases(family: string, options?: { seed?: number; count?: number; only?: string }): FuzzCase[];
export declare function runCase(kase: FuzzCase, options?: { keep?: boolean }): Promise<{ failures: string[]; result?: ChildResult }>;
export declare function prepareFamily(family: string): Promise<void>;
export declare function cleanupFamily(family: string): Promise<void>;
