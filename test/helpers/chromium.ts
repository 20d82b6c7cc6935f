// SPDX-License-Identifier: BSD-3-Clause
// Headless Chromium for the browser tests: Debian's /usr/bin/chromium through puppeteer-core, with
// WebGPU enabled (SwiftShader on a machine without a GPU), a page served by a static server, and
// every page error and console error captured. The tests decide from the outcome whether to run,
// skip (Chromium missing) or fail (the page does not load).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { REPOSITORY_ROOT } from './static-server.js';

/** REQUIRE_WEBGPU=1 (CI) turns a missing Chromium or WebGPU into a failure instead of a skip. */
export const REQUIRED = process.env.REQUIRE_WEBGPU === '1';
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Chromium's flags for WebGPU without a GPU (shared/design/webgpu-without-gpu.md); --user-data-dir is added per run. */
export const CHROMIUM_FLAGS = ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
/** The built library the pages import. */
export const ENTRY = join(REPOSITORY_ROOT, 'dist/src/index.js');

/** A server as both static servers give it (scripts/serve-demo.mjs, test/helpers/static-server.ts). */
export interface PageServer {
  readonly url: string;
  readonly failures: readonly string[];
  close(): Promise<void>;
}

/** One browser, one page and what they reported. */
export interface BrowserSession {
  browser: Browser | null;
  page: Page | null;
  server: PageServer | null;
  tempDirs: string[];
  pageErrors: string[];
  consoleErrors: string[];
  startupMs: number;
}

export function createSession(): BrowserSession {
  return { browser: null, page: null, server: null, tempDirs: [], pageErrors: [], consoleErrors: [], startupMs: 0 };
}

/** Closes the browser and the server and removes the session's temporary folders. */
export async function closeSession(session: BrowserSession): Promise<void> {
  const { browser, server } = session;
  session.browser = null;
  session.page = null;
  session.server = null;
  await browser?.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  for (const dir of session.tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export type OpenOutcome = { state: 'open'; page: Page } | { state: 'unavailable'; reason: string } | { state: 'broken'; reason: string };

export interface OpenPageOptions {
  /** URL path of the page, e.g. /demo/index.html. */
  readonly pagePath: string;
  /** Starts the server that serves it. */
  readonly startServer: () => Promise<PageServer>;
  /** A page expression that is true once the page has loaded. */
  readonly readyExpression: string;
  /** A page expression giving the page's own load errors (an array of strings). */
  readonly errorsExpression: string;
  /** Used in messages: "the <label> page did not load". */
  readonly label: string;
  readonly protocolTimeoutMs: number;
  readonly viewport?: { width: number; height: number };
  /** Runs on the new page before it is loaded (e.g. to allow downloads). */
  readonly beforeLoad?: (page: Page) => Promise<void>;
}

/**
 * Starts the server and Chromium and loads the page. 'unavailable' when Chromium or
 * puppeteer-core is missing; 'broken' when the build is missing or the page does not load (with
 * the failed requests and page errors); on either the session is closed.
 */
export async function openPage(session: BrowserSession, options: OpenPageOptions): Promise<OpenOutcome> {
  if (!existsSync(ENTRY)) return { state: 'broken', reason: `${relative(REPOSITORY_ROOT, ENTRY)} is missing: run \`npm run build\` before the browser tests.` };
  if (!existsSync(CHROMIUM)) return { state: 'unavailable', reason: `Chromium is not installed at ${CHROMIUM} (apt-get install -y --no-install-recommends chromium, or set CHROMIUM_PATH).` };
  let puppeteer: typeof import('puppeteer-core').default;
  try {
    puppeteer = (await import('puppeteer-core')).default;
  } catch (error) {
    return { state: 'unavailable', reason: `puppeteer-core cannot be loaded (${(error as Error).message}).` };
  }
  session.server = await options.startServer();
  const userDataDir = mkdtempSync(join(tmpdir(), 'dosekit-chromium-'));
  // The Vulkan loader wants a private XDG_RUNTIME_DIR (mkdtemp creates it 0700).
  const runtimeDir = mkdtempSync(join(tmpdir(), 'dosekit-xdg-'));
  session.tempDirs.push(userDataDir, runtimeDir);
  try {
    session.browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${userDataDir}`],
      env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir },
      timeout: 60_000,
      protocolTimeout: options.protocolTimeoutMs,
    });
  } catch (error) {
    await closeSession(session);
    return { state: 'unavailable', reason: `Chromium (${CHROMIUM}) did not start: ${(error as Error).message.split('\n')[0]}` };
  }
  const page = await session.browser.newPage();
  session.page = page;
  if (options.viewport) await page.setViewport(options.viewport);
  page.on('pageerror', (error) => session.pageErrors.push(String((error as Error).stack ?? error)));
  page.on('console', (message) => {
    if (message.type() === 'error') session.consoleErrors.push(message.text());
  });
  try {
    await options.beforeLoad?.(page);
    const response = await page.goto(`${session.server.url}${options.pagePath}`, { waitUntil: 'load', timeout: 60_000 });
    if (!response?.ok()) throw new Error(`GET ${options.pagePath} answered ${response?.status()}`);
    await page.waitForFunction(`(${options.readyExpression}) || (${options.errorsExpression}).length > 0`, { timeout: 60_000 });
    const loadErrors = (await page.evaluate(options.errorsExpression)) as string[];
    const ready = (await page.evaluate(options.readyExpression)) === true;
    if (!ready || loadErrors.length > 0) throw new Error(loadErrors.join('\n') || `the ${options.label} page did not finish loading`);
  } catch (error) {
    const failures = session.server?.failures.length ? `; failed requests: ${session.server.failures.join(', ')}` : '';
    const errors = [...session.pageErrors, ...session.consoleErrors];
    await closeSession(session);
    return { state: 'broken', reason: `the ${options.label} page did not load: ${(error as Error).message}${failures}${errors.length ? `; page errors: ${errors.join(' | ')}` : ''}` };
  }
  return { state: 'open', page };
}
