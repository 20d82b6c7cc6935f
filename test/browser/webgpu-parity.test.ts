// SPDX-License-Identifier: BSD-3-Clause
// The browser half of the WebGPU parity tests: the built library (dist/) in a real page in
// headless Chromium (puppeteer-core, Debian's /usr/bin/chromium), WebGPU on whatever adapter
// Chromium offers (SwiftShader on a machine without a GPU), compared with the CPU fallback in
// the same page (test/browser/page/parity.js). Needs `npm run build` first.
//
// Without Chromium or without WebGPU in the page the parity test is skipped with the reason,
// unless REQUIRE_WEBGPU=1, which turns that into a failure. A page that does not load (a
// missing build, an import the browser cannot resolve, an exception) always fails.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BrowserSession, ENTRY, REQUIRED, closeSession as closeBrowserSession, createSession, openPage } from '../helpers/chromium.js';
import { REPOSITORY_ROOT, SERVED_PREFIXES, startStaticServer } from '../helpers/static-server.js';

const PAGE_PATH = '/test/browser/page/index.html';

interface ParityCase {
  name: string;
  identical: boolean;
  details: string;
  differences: string[];
  ms: number;
  contract: 'exact' | 'tolerance';
  withinTolerance?: boolean;
  tolerance?: string;
}

interface ParitySummary {
  adapter: { kind: string; name?: string; adapter?: string; software?: boolean; dosekitVersion: string; probe: WebGpuProbe };
  cases: ParityCase[];
  notes: string[];
  totalMs: number;
}

interface WebGpuProbe {
  available: boolean;
  reason?: string;
  isSecureContext: boolean;
  userAgent: string;
  nodeGlobals: boolean;
  info?: Record<string, unknown>;
  limits?: Record<string, number>;
}

type Probe =
  | { state: 'ready'; webgpu: WebGpuProbe }
  | { state: 'unavailable'; reason: string }
  | { state: 'broken'; reason: string };

const session: BrowserSession = createSession();
const closeSession = (): Promise<void> => closeBrowserSession(session);

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts the server and Chromium, opens the page and asks it whether it has WebGPU. Runs while
 * the file is collected, so that the tests can be skipped (or failed) by what it finds.
 */
async function probe(): Promise<Probe> {
  const started = Date.now();
  const opened = await openPage(session, {
    pagePath: PAGE_PATH,
    startServer: () => startStaticServer(),
    readyExpression: 'window.parityReady === true',
    errorsExpression: 'window.parityLoadErrors',
    label: 'parity',
    protocolTimeoutMs: 600_000,
  });
  if (opened.state !== 'open') return opened;
  const page = opened.page;
  const webgpu = (await withTimeout(page.evaluate(() => (window as unknown as { probeWebGpu(): Promise<WebGpuProbe> }).probeWebGpu()), 60_000, 'the WebGPU probe')) as WebGpuProbe;
  session.startupMs = Date.now() - started;
  if (!webgpu.available) {
    await closeSession();
    return { state: 'unavailable', reason: `WebGPU is not available in headless Chromium: ${webgpu.reason}` };
  }
  return { state: 'ready', webgpu };
}

const found: Probe = await probe().catch(async (error: Error) => {
  await closeSession();
  return { state: 'broken', reason: `the browser test setup failed: ${error.stack ?? error.message}` } as Probe;
});
const unavailableReason = found.state === 'unavailable' ? found.reason : '';
if (found.state === 'unavailable' && !REQUIRED) console.warn(`[webgpu-parity] skipped: ${unavailableReason} (set REQUIRE_WEBGPU=1 to make this a failure)`);

afterAll(closeSession);

/** Bare specifiers of the static import graph of dist/src/index.js, with one importer each. */
function bareImports(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const bare = new Map<string, string>();
  const pattern = /(?:^|[\n;])\s*(?:import|export)\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(pattern)) {
      const specifier = match[1];
      if (specifier.startsWith('.') || specifier.startsWith('/')) visit(resolve(dirname(file), specifier));
      else if (!bare.has(specifier)) bare.set(specifier, relative(REPOSITORY_ROOT, file));
    }
  };
  visit(entry);
  return bare;
}

describe('WebGPU parity in headless Chromium (built library, WebGPU vs the CPU fallback)', () => {
  it('every bare import of the built library is in the page\'s import map, and is served', () => {
    expect(existsSync(ENTRY), `${relative(REPOSITORY_ROOT, ENTRY)} is missing: run \`npm run build\` first`).toBe(true);
    const html = readFileSync(join(REPOSITORY_ROOT, PAGE_PATH), 'utf8');
    const mapText = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1];
    expect(mapText, 'index.html has an import map').toMatch(/"imports"/);
    const imports = (JSON.parse(mapText!) as { imports: Record<string, string> }).imports;
    const resolveMapped = (specifier: string): string | undefined => {
      if (imports[specifier]) return imports[specifier];
      const prefix = Object.keys(imports).filter((k) => k.endsWith('/') && specifier.startsWith(k)).sort((a, b) => b.length - a.length)[0];
      return prefix ? imports[prefix] + specifier.slice(prefix.length) : undefined;
    };
    const unmapped: string[] = [];
    for (const [specifier, importer] of bareImports(ENTRY)) {
      if (specifier.startsWith('node:')) {
        unmapped.push(`${specifier} (static import in ${importer}: Node-only, breaks the browser build)`);
        continue;
      }
      const url = resolveMapped(specifier);
      if (!url) unmapped.push(`${specifier} (imported by ${importer})`);
      else {
        expect(SERVED_PREFIXES.some((p) => url.startsWith(p)), `${url} is outside the served folders`).toBe(true);
        expect(existsSync(join(REPOSITORY_ROOT, url)), `${url} (for ${specifier}) exists`).toBe(true);
      }
    }
    expect(unmapped, 'bare imports the browser cannot resolve').toEqual([]);
  });

  it.skipIf(found.state === 'unavailable' && !REQUIRED)(
    found.state === 'unavailable' && !REQUIRED ? `the parity page loads in headless Chromium, with WebGPU (skipped: ${unavailableReason})` : 'the parity page loads in headless Chromium, with WebGPU',
    () => {
      if (found.state === 'broken') throw new Error(found.reason);
      if (found.state === 'unavailable') throw new Error(`REQUIRE_WEBGPU=1, but ${found.reason}`);
      expect(found.webgpu.available).toBe(true);
      expect(found.webgpu.isSecureContext).toBe(true);
    },
  );

  it.skipIf(found.state !== 'ready')(
    found.state === 'ready' || REQUIRED ? 'every DVH and kernel result is identical on WebGPU and on the CPU (the precise algorithm: within its float32 tolerance)' : `every DVH and kernel result is identical on WebGPU and on the CPU (skipped: ${unavailableReason})`,
    async () => {
      const page = session.page!;
      const t0 = Date.now();
      const summary = (await page.evaluate(() => (window as unknown as { runParity(): Promise<unknown> }).runParity())) as ParitySummary;
      const wallMs = Date.now() - t0;
      const { adapter } = summary;
      const limits = adapter.probe.limits ?? {};
      console.log(
        `[webgpu-parity] WebGPU adapter: ${adapter.name} (software: ${adapter.software}, fallback adapter: ${String(adapter.probe.info?.isFallbackAdapter)}, ` +
          `maxComputeWorkgroupsPerDimension ${limits.maxComputeWorkgroupsPerDimension}, maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize}); ` +
          `${adapter.probe.userAgent}; dosekit ${adapter.dosekitVersion}; browser start and probe ${session.startupMs} ms, parity run ${wallMs} ms`,
      );
      for (const c of summary.cases) {
        const verdict = c.identical ? 'identical' : c.contract === 'tolerance' ? (c.withinTolerance ? 'not bit-identical, within its documented float32 tolerance:' : 'OUT OF TOLERANCE:') : 'DIFFERENT:';
        console.log(`[webgpu-parity] ${String(c.ms).padStart(6)} ms ${verdict} ${c.name}: ${c.details}${c.tolerance ? ` [${c.tolerance}]` : ''}`);
        const shown = c.identical ? 0 : c.contract === 'tolerance' && c.withinTolerance ? 2 : 8;
        for (const d of c.differences.slice(0, shown)) console.log(`[webgpu-parity]     ${d}`);
        if (c.differences.length > shown && shown > 0) console.log(`[webgpu-parity]     … ${c.differences.length - shown} more differences`);
      }
      for (const note of summary.notes) console.log(`[webgpu-parity] note: ${note}`);

      expect(adapter.kind).toBe('webgpu');
      expect(adapter.probe.nodeGlobals, 'the page has no Node globals, so the Node-only paths (the webgpu package, node:fs) are never taken').toBe(false);
      expect(summary.cases.length).toBeGreaterThanOrEqual(20);
      // Every exact-contract case (all but the precise algorithm's float32 spread kernel) bit for bit.
      const different = summary.cases.filter((c) => c.contract === 'exact' && !c.identical).map((c) => `${c.name}: ${c.differences.slice(0, 3).join('; ') || c.details}`);
      expect(different, 'cases whose WebGPU and CPU results differ').toEqual([]);
      const outOfTolerance = summary.cases.filter((c) => c.contract === 'tolerance' && !c.identical && !c.withinTolerance).map((c) => `${c.name}: ${c.tolerance}`);
      expect(outOfTolerance, 'precise-algorithm cases outside the documented float32 tolerance').toEqual([]);
      expect(session.pageErrors, 'uncaught errors in the page').toEqual([]);
      expect(session.server!.failures, 'requests the static server could not answer').toEqual([]);
    },
    300_000,
  );
});
