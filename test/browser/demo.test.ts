// SPDX-License-Identifier: BSD-3-Clause
// The browser page (demo/) in headless Chromium (puppeteer-core, Debian's /usr/bin/chromium),
// served by scripts/serve-demo.mjs exactly as `npm run demo` serves it. Needs `npm run build`.
// Loads the example, computes the DVHs on WebGPU (SwiftShader on a machine without a GPU) and
// checks what the page shows against Node's CPU results: the statistics table, the slice view's
// pixels, keyboard and pointer, the differential plot, a derived structure (and a bad one),
// visibility toggles, the CSV export and a dose sum; writes test-artifacts/demo.png.
//
// The tests share one page, but each starts from the state it needs (exampleLoaded: the example
// as loaded, loaded again only when the page shows something else) and puts back what it changes,
// so that any one of them passes alone and in any order.
//
// Without Chromium the page tests are skipped with the reason, unless REQUIRE_WEBGPU=1, which
// turns that into a failure. Without WebGPU in the page the page computes on the CPU and the
// tests still run (REQUIRE_WEBGPU=1 fails them instead). A page that does not load always fails.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DEMO_PREFIXES, REPOSITORY_ROOT, startStaticServer } from '../../scripts/serve-demo.mjs';
import { calculateDvhs, type DvhCalculationResult } from '../../src/dvh/calculate.js';
import { type BrowserSession, REQUIRED, closeSession as closeBrowserSession, createSession, openPage } from '../helpers/chromium.js';
import { DoseGrid } from '../../src/model/dose-grid.js';
import { sumDoseGrids } from '../../src/dose/sum.js';

const PAGE_PATH = '/demo/index.html';
const ARTIFACT = join(REPOSITORY_ROOT, 'test-artifacts/demo.png');
/** dicompyler-core's max of rtdose_substitute + rtdose_shifted (trilinear, order 1): test/unit/cli-sum.test.ts. */
const DICOMPYLER_SUM_MAX_GY = 29.25852675648;
/** Half a unit in the last of the 3 decimals the page shows. */
const HALF_LAST_DIGIT = 0.0005;
/**
 * The precise algorithm's documented WebGPU-vs-CPU bounds (src/gpu/webgpu-backend.ts; as
 * test/browser/webgpu-parity.test.ts): a shown number may differ from the CPU's rounding only
 * when the CPU value lies within this of a rounding boundary.
 */
const GPU_BOUND = { volume: 5e-10, min: 1e-4, max: 1e-4, D95: 5e-5 } as const;

type Probe = { state: 'ready'; webgpu: boolean; webgpuReason: string } | { state: 'unavailable'; reason: string } | { state: 'broken'; reason: string };

const session: BrowserSession = createSession();
const closeSession = (): Promise<void> => closeBrowserSession(session);

/** Starts the server and Chromium and opens the page; runs while the file is collected so the tests can be skipped by what it finds. */
async function probe(): Promise<Probe> {
  const started = Date.now();
  const downloads = mkdtempSync(join(tmpdir(), 'dosekit-downloads-'));
  session.tempDirs.push(downloads);
  const opened = await openPage(session, {
    pagePath: PAGE_PATH,
    startServer: () => startStaticServer(),
    readyExpression: 'window.dosekitDemo !== undefined',
    errorsExpression: 'window.dosekitDemoErrors',
    label: 'demo',
    protocolTimeoutMs: 180_000,
    viewport: { width: 1440, height: 1000 },
    beforeLoad: async (page) => {
      const cdp = await page.createCDPSession();
      await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    },
  });
  if (opened.state !== 'open') return opened;
  const webgpu = await opened.page.evaluate(async () => {
    if (!navigator.gpu) return { available: false, reason: 'navigator.gpu is missing' };
    const adapter = await navigator.gpu.requestAdapter().catch(() => null);
    return adapter ? { available: true, reason: '' } : { available: false, reason: 'navigator.gpu.requestAdapter() returned null' };
  });
  session.startupMs = Date.now() - started;
  return { state: 'ready', webgpu: webgpu.available, webgpuReason: webgpu.reason };
}

const found: Probe = await probe().catch(async (error: Error) => {
  await closeSession();
  return { state: 'broken', reason: `the browser test setup failed: ${error.stack ?? error.message}` } as Probe;
});
const skip = found.state === 'unavailable' && !REQUIRED;
const skipNote = found.state === 'unavailable' ? ` (skipped: ${found.reason})` : '';
if (skip) console.warn(`[demo] skipped: ${(found as { reason: string }).reason} (set REQUIRE_WEBGPU=1 to make this a failure)`);
if (found.state === 'ready' && !found.webgpu) console.warn(`[demo] no WebGPU in the page (${found.webgpuReason}): the page computes on the CPU${REQUIRED ? '; REQUIRE_WEBGPU=1 makes that a failure' : ''}`);

afterAll(closeSession);

function page(): Page {
  if (found.state === 'broken') throw new Error(found.reason);
  if (found.state === 'unavailable') throw new Error(`REQUIRE_WEBGPU=1, but ${found.reason}`);
  return session.page!;
}

interface DemoState {
  phase: string;
  generation: number;
  backend: { kind: string; adapter?: string; software?: boolean } | null;
  computeMs: number;
  dose: { name: string; derived: boolean; maxDoseGy: number } | null;
  csv: string;
}

function demoState(p: Page): Promise<DemoState> {
  return p.evaluate(() => {
    const d = (window as unknown as { dosekitDemo: DemoState }).dosekitDemo;
    return { phase: d.phase, generation: d.generation, backend: d.backend, computeMs: d.computeMs, dose: d.dose, csv: d.csv };
  });
}

/** Waits for a computation newer than `generation` to finish; fails with the page's status on an error. */
async function waitForDvhs(p: Page, generation: number, timeout = 120_000): Promise<DemoState> {
  await p.waitForFunction(
    (g: number) => {
      const d = (window as unknown as { dosekitDemo: DemoState }).dosekitDemo;
      return d.phase === 'error' || (d.phase === 'ready' && d.generation > g);
    },
    { timeout },
    generation,
  );
  const state = await demoState(p);
  if (state.phase === 'error') throw new Error(`the page reports an error: ${await p.$eval('#status', (e) => e.textContent)}`);
  return state;
}

interface ShownRow {
  roi: number;
  name: string;
  /** Each cell's text by column key. */
  cells: Record<string, string>;
  /** Each cell's unrounded number (its data-value), for the log. */
  values: Record<string, number>;
}

/** The statistics table as shown: per row the ROI number, name and every cell's text by column key. */
function shownTable(p: Page): Promise<ShownRow[]> {
  return p.$$eval('#stats-table tbody tr[data-roi]', (rows) =>
    rows.map((tr) => ({
      roi: Number((tr as HTMLElement).dataset.roi),
      name: tr.querySelector('th')!.textContent!.trim(),
      cells: Object.fromEntries(Array.from(tr.querySelectorAll('td')).map((td) => [(td as HTMLElement).dataset.col!, td.textContent!.trim()])),
      values: Object.fromEntries(Array.from(tr.querySelectorAll('td')).map((td) => [(td as HTMLElement).dataset.col!, Number((td as HTMLElement).dataset.value)])),
    })),
  );
}

/** [r, g, b, a] of canvas pixel (x, y). */
function canvasPixel(p: Page, x: number, y: number): Promise<number[]> {
  return p.evaluate(
    (px: number, py: number) => {
      const canvas = document.getElementById('slice-canvas') as HTMLCanvasElement;
      return [...canvas.getContext('2d')!.getImageData(Math.round(px), Math.round(py), 1, 1).data];
    },
    x,
    y,
  );
}

interface ShownPlot {
  /** The axis titles (x, then y). */
  labels: string[];
  /** Each curve's name and polyline points, in plot order. */
  curves: { name: string; points: string }[];
}

/** The DVH plot's axis titles and curves as drawn. */
function shownPlot(p: Page): Promise<ShownPlot> {
  return p.evaluate(() => ({
    labels: Array.from(document.querySelectorAll('#dvh-plot svg text.axis-label')).map((t) => t.textContent!),
    curves: Array.from(document.querySelectorAll('#dvh-plot polyline.dvh-curve')).map((l) => ({ name: l.getAttribute('data-name')!, points: l.getAttribute('points')! })),
  }));
}

/** Client coordinates of the point at `fraction` of the named curve's points. */
function curvePoint(p: Page, name: string, fraction: number): Promise<{ x: number; y: number }> {
  return p.evaluate(
    (curve: string, at: number) => {
      const line = document.querySelector(`#dvh-plot polyline[data-name="${curve}"]`) as SVGPolylineElement;
      const points = line.getAttribute('points')!.trim().split(/\s+/).map((xy) => xy.split(',').map(Number));
      const [x, y] = points[Math.floor(points.length * at)];
      const screen = new DOMPoint(x, y).matrixTransform((line.ownerSVGElement as SVGSVGElement).getScreenCTM()!);
      return { x: screen.x, y: screen.y };
    },
    name,
    fraction,
  );
}

/** The statistics field's value as the page ships it. */
const DEFAULT_STATISTICS = 'D95, D2cc, V10Gy';
/** The backend the example is calculated on with the backend selector as the page ships it (Auto). */
const EXPECTED_BACKEND = REQUIRED || (found.state === 'ready' && found.webgpu) ? 'webgpu' : 'cpu';

/** Waits until the page is neither loading nor calculating. */
async function settled(p: Page): Promise<void> {
  await p.waitForFunction(() => !['loading', 'computing'].includes((window as unknown as { dosekitDemo: DemoState }).dosekitDemo.phase), { timeout: 120_000 });
}

/**
 * Puts the controls a load keeps back as the page ships them: the backend selector (Auto, without
 * a change event: the next calculation uses it), the statistics field, the Differential toggle and
 * the derived-structure field; moves the pointer off the plot.
 */
async function resetControls(p: Page): Promise<void> {
  await p.evaluate((statistics: string) => {
    (document.getElementById('backend-select') as HTMLSelectElement).value = 'auto';
    const names = document.getElementById('stat-names') as HTMLInputElement;
    if (names.value !== statistics) {
      names.value = statistics;
      names.dispatchEvent(new Event('change'));
    }
    const differential = document.getElementById('dvh-differential') as HTMLInputElement;
    if (differential.checked) {
      differential.checked = false;
      differential.dispatchEvent(new Event('change'));
    }
    const derived = document.getElementById('derived-input') as HTMLInputElement;
    if (derived.value !== '' || derived.classList.contains('invalid')) {
      derived.value = '';
      derived.dispatchEvent(new Event('input'));
    }
  }, DEFAULT_STATISTICS);
  await p.mouse.move(5, 5);
}

/** What of the loaded example the page shows: the dose, the files, the structures, the backend and the slice. */
function shownExample(p: Page) {
  return p.evaluate(() => {
    const d = (window as unknown as { dosekitDemo: DemoState & { derived: unknown[]; differential: boolean; doseMaxLocation(): { frame: number } | null; slice: { current: { frame: number } | null } } }).dosekitDemo;
    const files = Array.from(document.querySelectorAll('#file-list li.file'));
    const structures = Array.from(document.querySelectorAll('#structure-list li.structure'));
    return {
      phase: d.phase,
      dose: d.dose ? { name: d.dose.name, derived: d.dose.derived } : null,
      backend: d.backend?.kind ?? null,
      backendSelected: (document.getElementById('backend-select') as HTMLSelectElement).value,
      files: files.length,
      fileErrors: files.filter((li) => li.classList.contains('file-error')).length,
      structures: structures.length,
      hidden: structures.filter((li) => !(li.querySelector('input') as HTMLInputElement).checked).length,
      derived: d.derived.length,
      differential: d.differential,
      statistics: (document.getElementById('stat-names') as HTMLInputElement).value,
      onDoseMaximum: d.slice.current?.frame === d.doseMaxLocation()?.frame,
    };
  });
}

type ShownExample = Awaited<ReturnType<typeof shownExample>>;

/** The example as loaded with the controls as shipped: its 5 files, 10 structures all shown, no derived structure, on `dose`. */
function isLoadedExample(shown: ShownExample, dose: 'rtdose_substitute.dcm' | 'the sum'): boolean {
  const doseShown = dose === 'the sum' ? shown.dose?.derived === true && shown.dose.name === 'sum of rtdose_substitute.dcm + rtdose_shifted.dcm' : shown.dose?.derived === false && shown.dose.name === dose;
  return (
    shown.phase === 'ready' &&
    doseShown &&
    shown.backend === EXPECTED_BACKEND &&
    shown.backendSelected === 'auto' &&
    shown.files === 5 &&
    shown.fileErrors === 0 &&
    shown.structures === 10 &&
    shown.hidden === 0 &&
    shown.derived === 0 &&
    !shown.differential &&
    shown.statistics === DEFAULT_STATISTICS &&
    shown.onDoseMaximum
  );
}

/** Opens the page afresh (as the probe left it: nothing loaded). */
async function freshPage(p: Page): Promise<void> {
  await p.reload({ waitUntil: 'load', timeout: 60_000 });
  await p.waitForFunction('window.dosekitDemo !== undefined || (window.dosekitDemoErrors ?? []).length > 0', { timeout: 60_000 });
  const errors = (await p.evaluate('window.dosekitDemoErrors ?? []')) as string[];
  if (errors.length > 0) throw new Error(`the demo page did not load again: ${errors.join('\n')}`);
}

/**
 * The page showing the example as loaded, whatever ran before: the example's dose (or, with
 * `dose: 'the sum'`, the sum of the two example doses), every structure shown, no derived
 * structure, the controls as shipped and the slice on the dose maximum. Does nothing when the page
 * shows that already (unless `load`: derived structures are numbered -1, -2, ... from the last
 * load); otherwise loads the example (into a fresh page when a load would keep a moved slice) and
 * sums the doses when asked.
 */
async function exampleLoaded(p: Page, { dose = 'rtdose_substitute.dcm', load = false }: { dose?: 'rtdose_substitute.dcm' | 'the sum'; load?: boolean } = {}): Promise<DemoState> {
  await settled(p);
  await resetControls(p);
  let shown = await shownExample(p);
  if (!load && isLoadedExample(shown, dose)) return demoState(p);
  // A load keeps the slice nearest the current one; the page opens a dose on its maximum.
  if (!shown.onDoseMaximum) await freshPage(p);
  if (!load && dose === 'the sum' && isLoadedExample(shown, 'rtdose_substitute.dcm')) {
    // The example as loaded: only the sum is missing.
  } else {
    const before = await demoState(p);
    await p.click('#load-example');
    await waitForDvhs(p, before.generation);
    shown = await shownExample(p);
    if (!isLoadedExample(shown, 'rtdose_substitute.dcm')) throw new Error(`loading the example gave ${JSON.stringify(shown)}`);
  }
  if (dose === 'the sum') {
    const before = await demoState(p);
    await p.click('#sum-doses');
    await waitForDvhs(p, before.generation);
    shown = await shownExample(p);
    if (!isLoadedExample(shown, 'the sum')) throw new Error(`summing the example doses gave ${JSON.stringify(shown)}`);
  }
  return demoState(p);
}

/** Removes the derived structure `name` with its button, if the page lists it. */
async function removeDerived(p: Page, name: string): Promise<void> {
  const roi = await p.$$eval('#structure-list li.structure', (items, wanted) => items.find((li) => li.querySelector('.name')?.textContent === wanted && Number((li as HTMLElement).dataset.roi) < 0)?.getAttribute('data-roi') ?? null, name);
  if (roi !== null) await p.click(`#structure-list li.structure[data-roi="${roi}"] button.remove`);
}

/** Lists the unreadable file `broken.dcm` (added to what the page shows) and waits until the page is idle again; returns its list entry. */
async function addUnreadableFile(p: Page): Promise<{ name: string | null; code: string | null | undefined; text: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dosekit-demo-'));
  session.tempDirs.push(dir);
  const broken = join(dir, 'broken.dcm');
  writeFileSync(broken, 'this is not a DICOM file, just some text long enough to be looked at'.repeat(4));
  const listed = await p.$$eval('#file-list .file-error', (e) => e.length);
  const input = await p.$('#file-input');
  await (input as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(broken);
  // Its own entry: one more unreadable file than before, the last of them.
  await p.waitForFunction((n: number) => document.querySelectorAll('#file-list .file-error').length > n, { timeout: 20_000 }, listed);
  const shown = await p.$$eval('#file-list .file-error', (items) => {
    const li = items[items.length - 1];
    return { name: li.querySelector('.file-name')!.textContent, code: li.querySelector('code')?.textContent, text: (li as HTMLElement).innerText.replace(/\s+/g, ' ') };
  });
  await settled(p);
  return shown;
}

let cpu: DvhCalculationResult;

beforeAll(async () => {
  cpu = await calculateDvhs(join(REPOSITORY_ROOT, 'examples/rtss.dcm'), join(REPOSITORY_ROOT, 'examples/rtdose_substitute.dcm'), { backend: 'cpu' });
});

describe('the browser page (demo/) in headless Chromium', () => {
  it('serves only the demo\'s folders, and the import map names files it serves', async () => {
    const server = await startStaticServer();
    try {
      const status = async (path: string) => (await fetch(`${server.url}${path}`, { redirect: 'manual' })).status;
      expect(await status('/demo/')).toBe(200);
      expect(await status('/demo/app.js')).toBe(200);
      expect(await status('/examples/rtss.dcm')).toBe(200);
      expect(await status('/')).toBe(302);
      for (const path of ['/package.json', '/dist/..%2fpackage.json', '/demo/%2e%2e/package.json', '/demo/..%2F..%2Fetc/passwd', '/node_modules/dcmjs/package.json', '/test/browser/page/index.html', '/demo/%00']) {
        expect(await status(path), path).toBe(404);
      }
    } finally {
      await server.close();
    }
    const html = readFileSync(join(REPOSITORY_ROOT, PAGE_PATH), 'utf8');
    const imports = (JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(html)![1]) as { imports: Record<string, string> }).imports;
    expect(Object.keys(imports).sort()).toEqual(['dcmjs', 'pako', 'wgsl-preprocessor/']);
    for (const target of Object.values(imports)) {
      const path = new URL(target, `http://x${PAGE_PATH}`).pathname;
      expect(DEMO_PREFIXES.some((p) => path.startsWith(p)), `${path} is served`).toBe(true);
      if (!path.endsWith('/')) expect(existsSync(join(REPOSITORY_ROOT, path)), `${path} exists`).toBe(true);
    }
  });

  it.skipIf(skip)(`lists an unreadable file with its error code, without an exception${skipNote}`, async () => {
    const p = page();
    await settled(p);
    const shown = await addUnreadableFile(p);
    console.log(`[demo] unreadable file: ${shown.text}`);
    expect(shown.name).toBe('broken.dcm');
    expect(shown.code).toMatch(/^E_[A-Z_]+$/);
    expect(session.pageErrors).toEqual([]);
  });

  it.skipIf(skip)(`loads the example in one click and computes every DVH on WebGPU${skipNote}`, async () => {
    const p = page();
    await settled(p);
    await resetControls(p);
    // An unreadable file listed before the click, for the example to replace.
    if ((await p.$$eval('#file-list .file-error', (e) => e.length)) === 0) await addUnreadableFile(p);
    expect(await p.$$eval('#file-list .file-error', (e) => e.length)).toBeGreaterThan(0);
    const before = await demoState(p);
    const t0 = Date.now();
    await p.click('#load-example');
    const state = await waitForDvhs(p, before.generation);
    const info = await p.$eval('#dvh-info', (e) => e.textContent!);
    const pairing = await p.$eval('#pairing', (e) => e.textContent!);
    console.log(`[demo] browser start ${session.startupMs} ms; example loaded and DVHs shown ${Date.now() - t0} ms after the click (calculation ${state.computeMs.toFixed(0)} ms); ${info}`);
    expect(pairing).toContain('rtss.dcm');
    expect(pairing).toContain('rtdose_substitute.dcm');
    expect(await p.$$eval('#file-list .file-error', (e) => e.length), 'loading the example replaces the files').toBe(0);
    expect(await p.$$eval('#file-list .file', (e) => e.length)).toBe(5);
    if (REQUIRED || (found.state === 'ready' && found.webgpu)) {
      expect(state.backend?.kind).toBe('webgpu');
      expect(await p.$eval('#backend-used', (e) => (e as HTMLElement).dataset.kind)).toBe('webgpu');
      expect(info).toContain('WebGPU');
      if (state.backend?.software) expect(info).toContain('software adapter');
    } else expect(state.backend?.kind).toBe('cpu');
    expect(info).toMatch(/\d+\.\d\d s/);
    // The structures list: every ROI with its colour, volume and a toggle; Areola (no contours) has no DVH.
    const structures = await p.$$eval('#structure-list li.structure', (items) => items.map((li) => ({ name: li.querySelector('.name')!.textContent, swatch: (li.querySelector('.swatch') as HTMLElement).style.background, checked: (li.querySelector('input') as HTMLInputElement).checked, volume: li.querySelector('.volume')!.textContent, noDvh: Boolean(li.querySelector('.badge')) })));
    expect(structures).toHaveLength(10);
    expect(structures.every((s) => s.checked && /^rgb\(/.test(s.swatch))).toBe(true);
    expect(structures.find((s) => s.name === 'Heart')!.volume).toMatch(/^\d+\.\d\d cm³$/);
    expect(structures.filter((s) => s.noDvh).map((s) => s.name)).toEqual(['Areola']);
    expect(session.pageErrors).toEqual([]);
  });

  it.skipIf(skip)(`shows the same volume, min, mean, max and D95 as Node's CPU calculation, to the digits shown${skipNote}`, async () => {
    const p = page();
    await exampleLoaded(p);
    const rows = await shownTable(p);
    expect(rows.map((r) => r.name)).toEqual(cpu.dvhs.map((d) => d.name));
    let worstRaw = 0;
    let equal = 0;
    let straddles = 0;
    const mismatches: string[] = [];
    for (const row of rows) {
      const reference = cpu.dvhs.find((d) => d.roi === row.roi)!.dvh;
      const expected: Record<string, [number, number]> = {
        volume: [reference.volume, GPU_BOUND.volume],
        min: [reference.min, GPU_BOUND.min],
        mean: [reference.mean, 1e-6 * reference.mean],
        max: [reference.max, GPU_BOUND.max],
        'stat:D95': [reference.statistic('D95').value, GPU_BOUND.D95],
      };
      for (const [key, [value, bound]] of Object.entries(expected)) {
        const text = row.cells[key];
        expect(text, `${row.name} ${key}`).toMatch(/^-?\d+\.\d{3}$/);
        const shown = Number(text);
        worstRaw = Math.max(worstRaw, Math.abs(row.values[key] - value));
        // Equal after rounding; one unit off only where the GPU/CPU difference straddles a boundary.
        if (text === value.toFixed(3)) equal += 1;
        else if (Math.abs(shown - value) <= HALF_LAST_DIGIT + bound + 1e-12) straddles += 1;
        else mismatches.push(`${row.name} ${key}: shown ${text}, CPU ${value}`);
      }
    }
    console.log(`[demo] ${rows.length} table rows x 5 numbers against the CPU: ${equal} equal to the CPU's rounding, ${straddles} one off across a rounding boundary; largest unrounded |page - CPU| ${worstRaw.toExponential(2)}`);
    expect(mismatches).toEqual([]);
    // The statistics field: new names recompute the columns; a bad one is reported, not thrown.
    onTestFinished(() => resetControls(p));
    await p.$eval('#stat-names', (input) => {
      (input as HTMLInputElement).value = 'D95, D50, V5Gy, X7';
      input.dispatchEvent(new Event('change'));
    });
    const headers = await p.$$eval('#stats-table thead th', (ths) => ths.map((th) => (th as HTMLElement).dataset.col ?? ''));
    expect(headers).toEqual(['', 'volume', 'min', 'mean', 'max', 'stat:D95', 'stat:D50', 'stat:V5Gy']);
    expect(await p.$eval('#stat-errors', (e) => e.textContent)).toContain('E_BAD_STATISTIC');
    const heart = (await shownTable(p)).find((r) => r.name === 'Heart')!;
    const heartCpu = cpu.dvhs.find((d) => d.name === 'Heart')!.dvh;
    expect(Math.abs(Number(heart.cells['stat:D50']) - heartCpu.statistic('D50').value)).toBeLessThanOrEqual(HALF_LAST_DIGIT + 5e-5);
    expect(Math.abs(Number(heart.cells['stat:V5Gy']) - heartCpu.statistic('V5Gy').value)).toBeLessThanOrEqual(HALF_LAST_DIGIT + 1e-5 * heartCpu.volume);
    await p.$eval('#stat-names', (input) => {
      (input as HTMLInputElement).value = 'D95, D2cc, V10Gy';
      input.dispatchEvent(new Event('change'));
    });
    expect(session.pageErrors).toEqual([]);
  });

  it.skipIf(skip)(`draws the dose on the slice, nothing far outside the body, and steps slices with the keyboard${skipNote}`, async () => {
    const p = page();
    await exampleLoaded(p);
    const at = await p.evaluate(() => (window as unknown as { dosekitDemo: { doseMaxLocation(): Record<string, number> } }).dosekitDemo.doseMaxLocation());
    const grid = await DoseGrid.fromFile(join(REPOSITORY_ROOT, 'examples/rtdose_substitute.dcm'));
    expect(at.doseGy).toBeCloseTo(grid.maxDoseGy, 9);
    // The page opens on the slice of the dose maximum.
    const current = await p.evaluate(() => (window as unknown as { dosekitDemo: { slice: { current: { index: number; z: number; frame: number } } } }).dosekitDemo.slice.current);
    // Back on that slice afterwards, as the next load keeps the slice it finds.
    onTestFinished(() => p.evaluate((index: number) => (window as unknown as { dosekitDemo: { slice: { setIndex(i: number): void } } }).dosekitDemo.slice.setIndex(index), current.index));
    expect(current.frame).toBe(at.frame);
    expect(current.z).toBeCloseTo(grid.geometry.frameZMm[at.frame], 9);
    const [width, height] = await p.evaluate(() => (window as unknown as { dosekitDemo: { slice: { size: number[] } } }).dosekitDemo.slice.size);
    const hot = await canvasPixel(p, at.canvasX, at.canvasY);
    // The wash at the maximum is the hot end of the colour map (red), half opaque over the dark background.
    expect(hot[0], `pixel at the dose maximum (${hot})`).toBeGreaterThan(90);
    expect(hot[0]).toBeGreaterThan(hot[2] + 40);
    for (const [x, y] of [[3, 3], [width - 4, 3], [3, height - 4], [width - 4, height - 4]]) {
      const pixel = await canvasPixel(p, x, y);
      expect(Math.max(pixel[0], pixel[1], pixel[2]), `corner pixel (${x}, ${y}) is dark: ${pixel}`).toBeLessThan(30);
    }
    // Keyboard: ArrowUp shows the next frame (z + 3 mm), ArrowDown goes back.
    const spacing = grid.geometry.frameZMm[1] - grid.geometry.frameZMm[0];
    const z = async () => Number(await p.$eval('#slice-z', (e) => (e as HTMLElement).dataset.z));
    await p.focus('#slice-canvas');
    const z0 = await z();
    await p.keyboard.press('ArrowUp');
    const z1 = await z();
    expect(z1 - z0).toBeCloseTo(Math.abs(spacing), 6);
    expect(await p.$eval('#slice-z', (e) => e.textContent)).toContain(`z = ${z1.toFixed(2)} mm`);
    await p.keyboard.press('ArrowDown');
    expect(await z()).toBeCloseTo(z0, 9);
    // The only CT slice (ct.0.dcm, z = 168.56 mm, the top dose frame): drawn there, not elsewhere.
    await p.keyboard.press('End');
    expect(await p.$eval('#slice-note', (e) => e.textContent)).toMatch(/^CT image on this slice/);
    await p.keyboard.press('PageDown');
    expect(await p.$eval('#slice-note', (e) => e.textContent)).toMatch(/^no image on this slice/);
    await p.evaluate((index: number) => (window as unknown as { dosekitDemo: { slice: { setIndex(i: number): void } } }).dosekitDemo.slice.setIndex(index), current.index);
    expect(session.pageErrors).toEqual([]);
  });

  it.skipIf(skip)(`the Differential toggle redraws the plot as volume per Gy (and back); hovering shows the dose and the plotted %/Gy${skipNote}`, async () => {
    const p = page();
    await exampleLoaded(p);
    onTestFinished(() => resetControls(p));
    const cumulative = await shownPlot(p);
    expect(cumulative.labels).toEqual(['Dose [Gy]', 'Volume [%]']);
    expect(cumulative.curves.length).toBeGreaterThan(0);
    await p.click('#dvh-differential');
    const differential = await shownPlot(p);
    expect(differential.labels).toEqual(['Dose [Gy]', 'Volume per Gy [%/Gy]']);
    expect(differential.curves.map((c) => c.name)).toEqual(cumulative.curves.map((c) => c.name));
    differential.curves.forEach((curve, i) => expect(curve.points, curve.name).not.toBe(cumulative.curves[i].points));
    expect(await p.$eval('#dvh-plot svg', (svg) => svg.getAttribute('aria-label'))).toMatch(/^Differential DVHs of /);
    // Hover the plot's highest point (a step's corner): the tooltip's value is the one plotted at the marker (read off the y axis's ticks).
    const target = await p.evaluate(() => {
      let best = { name: '', x: 0, y: Infinity };
      for (const line of Array.from(document.querySelectorAll('#dvh-plot polyline.dvh-curve'))) {
        for (const xy of line.getAttribute('points')!.trim().split(/\s+/)) {
          const [x, y] = xy.split(',').map(Number);
          if (y < best.y) best = { name: line.getAttribute('data-name')!, x, y };
        }
      }
      const screen = new DOMPoint(best.x, best.y).matrixTransform((document.querySelector('#dvh-plot svg') as SVGSVGElement).getScreenCTM()!);
      return { name: best.name, x: screen.x, y: screen.y };
    });
    await p.mouse.move(target.x + 1, target.y + 1);
    await p.waitForSelector('#dvh-tooltip:not([hidden])', { timeout: 5_000 });
    const tip = await p.evaluate(() => {
      const e = document.getElementById('dvh-tooltip')!;
      const ticks = Array.from(document.querySelectorAll('#dvh-plot .tick-labels text[text-anchor="end"]')).map((t) => [Number(t.getAttribute('y')), Number(t.textContent)]);
      const dot = document.querySelector('#dvh-plot .hover-marker circle')!;
      return { text: e.innerText.replace(/\s+/g, ' '), value: Number(e.dataset.value), units: e.dataset.units, percent: e.dataset.volumePercent, cy: Number(dot.getAttribute('cy')), ticks };
    });
    console.log(`[demo] differential tooltip: ${tip.text}`);
    expect(tip.text).toContain(target.name);
    expect(tip.text).toMatch(/Dose \d+\.\d\d Gy/);
    expect(tip.text).toMatch(/Volume \d+\.\d+ %\/Gy/);
    expect(tip.units).toBe('%/Gy');
    expect(tip.percent).toBeUndefined();
    const [[y0, v0], [y1, v1]] = [tip.ticks[0], tip.ticks[tip.ticks.length - 1]];
    const plotted = v0 + ((tip.cy - y0) / (y1 - y0)) * (v1 - v0);
    expect(Math.abs(plotted - tip.value)).toBeLessThan(0.005 * Math.abs(v1 - v0));
    expect(tip.text).toContain(tip.value.toFixed(tip.value < 10 ? 2 : 1));
    // And back: the cumulative plot as before, to the point.
    await p.click('#dvh-differential');
    expect(await shownPlot(p)).toEqual(cumulative);
    await p.mouse.move(5, 5);
    expect(session.pageErrors).toEqual([]);
  });

  it.skipIf(skip)(`adds the derived structure Both = Heart | "Lt Lung" (calculated alone): listed with its expression, plotted, and in the table with Heart's + Lt Lung's volume${skipNote}`, async () => {
    const p = page();
    // Loaded now, so that Both is the first derived structure since the load.
    await exampleLoaded(p, { load: true });
    // Removed again afterwards (the removal test adds its own).
    onTestFinished(() => removeDerived(p, 'Both'));
    const before = await shownTable(p);
    const state0 = await demoState(p);
    await p.type('#derived-input', 'Both = Heart | "Lt Lung"');
    const t0 = Date.now();
    await p.click('#derived-add');
    const state = await waitForDvhs(p, state0.generation);
    console.log(`[demo] derived structure shown ${Date.now() - t0} ms after the click (calculation ${state.computeMs.toFixed(0)} ms): ${await p.$eval('#dvh-info', (e) => e.textContent)}`);
    const rows = await shownTable(p);
    // The ROIs' rows are untouched (only the derived structure was calculated); Both follows them.
    expect(rows.slice(0, -1)).toEqual(before);
    const both = rows[rows.length - 1];
    expect(both.name).toBe('Both');
    expect(both.roi).toBe(-1);
    // Heart and Lt Lung do not overlap: the union's volume is the sum of theirs, as the table shows them.
    const cell = (name: string) => Number(rows.find((r) => r.name === name)!.cells.volume);
    const sum = cell('Heart') + cell('Lt Lung');
    expect(Math.abs(Number(both.cells.volume) - sum) / sum).toBeLessThan(1e-3);
    const item = await p.$eval('#structure-list li.structure[data-roi="-1"]', (li) => ({
      name: li.querySelector('.name')!.textContent,
      expression: li.querySelector('.expression')!.textContent,
      swatch: (li.querySelector('.swatch') as HTMLElement).style.background,
      checked: (li.querySelector('input') as HTMLInputElement).checked,
      volume: li.querySelector('.volume')!.textContent,
      remove: Boolean(li.querySelector('button.remove')),
    }));
    expect(item).toMatchObject({ name: 'Both', expression: 'Heart | "Lt Lung"', checked: true, remove: true });
    expect(item.swatch).toMatch(/^rgb\(/);
    expect(item.volume).toBe(`${Number(both.values.volume).toFixed(2)} cm³`);
    expect(await p.$$eval('#dvh-plot polyline[data-name="Both"]', (e) => e.length)).toBe(1);
    expect(await p.$$eval('#dvh-legend .legend-item', (e) => e.map((x) => x.textContent))).toContain('Both');
    expect(await p.$eval('#derived-input', (e) => (e as HTMLInputElement).value)).toBe('');
    expect(await p.$eval('#derived-error', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(session.pageErrors).toEqual([]);
  });

  it.skipIf(skip)(`a bad derived structure is reported under the field (E_BAD_ROI_EXPRESSION with a caret; an unknown ROI), without an exception; the page keeps working${skipNote}`, async () => {
    const p = page();
    const state0 = await exampleLoaded(p);
    onTestFinished(() => resetControls(p));
    const table0 = await shownTable(p);
    const structures = () => p.$$eval('#structure-list li.structure', (e) => e.length);
    const count0 = await structures();
    await p.type('#derived-input', 'X = Heart |');
    await p.click('#derived-add');
    await p.waitForSelector('#derived-error:not([hidden])', { timeout: 5_000 });
    const shown = await p.$eval('#derived-error', (e) => ({ code: e.querySelector('code')?.textContent, text: (e as HTMLElement).innerText, caret: e.querySelector('pre')?.textContent }));
    console.log(`[demo] bad derived structure: ${shown.text.replace(/\s+/g, ' ')}`);
    expect(shown.code).toBe('E_BAD_ROI_EXPRESSION');
    expect(shown.text).toContain('column 12');
    expect(shown.caret).toBe('X = Heart |\n           ^');
    expect(await p.$eval('#derived-input', (e) => e.classList.contains('invalid'))).toBe(true);
    // Parsed in the page: nothing was calculated or added.
    expect(await demoState(p)).toMatchObject({ phase: 'ready', generation: state0.generation });
    expect(await structures()).toBe(count0);
    // An unknown ROI: the library's E_ROI_NOT_FOUND, naming it, under the field; nothing added.
    await p.$eval('#derived-input', (e) => {
      (e as HTMLInputElement).value = '';
    });
    await p.type('#derived-input', 'Y = Hart | Heart');
    await p.click('#derived-add');
    await waitForDvhs(p, state0.generation);
    await p.waitForSelector('#derived-error:not([hidden])', { timeout: 5_000 });
    const unknown = await p.$eval('#derived-error', (e) => (e as HTMLElement).innerText);
    expect(unknown).toContain('E_ROI_NOT_FOUND');
    expect(unknown).toContain('"Hart"');
    expect(await structures()).toBe(count0);
    expect(await shownTable(p)).toEqual(table0);
    // Typing clears the message; the plot still toggles.
    await p.$eval('#derived-input', (e) => {
      (e as HTMLInputElement).value = '';
      e.dispatchEvent(new Event('input'));
    });
    expect(await p.$eval('#derived-error', (e) => (e as HTMLElement).hidden)).toBe(true);
    await p.evaluate(() => window.scrollTo(0, 0));
    await p.click('#dvh-differential');
    expect((await shownPlot(p)).labels[1]).toBe('Volume per Gy [%/Gy]');
    await p.click('#dvh-differential');
    expect((await shownPlot(p)).labels[1]).toBe('Volume [%]');
    expect(session.pageErrors).toEqual([]);
    const state = await demoState(p);
    expect(state.phase).toBe('ready');
  });

  it.skipIf(skip)(`hovering the DVH plot shows the dose (Gy) and volume (%) of the nearest curve point; writes test-artifacts/demo.png${skipNote}`, async () => {
    const p = page();
    const state0 = await exampleLoaded(p);
    onTestFinished(() => p.mouse.move(5, 5));
    // The screenshot starts at the top bar.
    await p.evaluate(() => window.scrollTo(0, 0));
    // A point in the middle of the Breast curve, in client coordinates.
    const target = await curvePoint(p, 'Breast', 0.4);
    await p.mouse.move(target.x + 1, target.y + 1);
    await p.waitForSelector('#dvh-tooltip:not([hidden])', { timeout: 5_000 });
    const tip = await p.$eval('#dvh-tooltip', (e) => ({ text: (e as HTMLElement).innerText.replace(/\s+/g, ' '), dose: Number((e as HTMLElement).dataset.doseGy), volume: Number((e as HTMLElement).dataset.volumePercent) }));
    console.log(`[demo] tooltip: ${tip.text}`);
    expect(tip.text).toMatch(/\d+\.\d\d Gy/);
    expect(tip.text).toMatch(/\d+\.\d %/);
    expect(tip.text).toContain('Breast');
    const breast = cpu.dvhs.find((d) => d.name === 'Breast')!.dvh;
    // The point is on the Breast curve: its volume is the cumulative DVH at its dose (bin edge).
    expect(Math.abs(tip.volume - (breast.volumeConstraint(tip.dose, 'Gy').value / breast.volume) * 100)).toBeLessThan(0.5);
    mkdirSync(join(REPOSITORY_ROOT, 'test-artifacts'), { recursive: true });
    await p.screenshot({ path: ARTIFACT as `${string}.png`, fullPage: true });
    expect(existsSync(ARTIFACT)).toBe(true);
    await p.mouse.move(5, 5);
    await p.waitForSelector('#dvh-tooltip[hidden]', { timeout: 5_000 });
    // Hovering and the screenshot calculate nothing.
    expect((await demoState(p)).generation).toBe(state0.generation);
  });

  it.skipIf(skip)(`hiding a structure removes it from the plot, the legend and the table; the CSV has one row per shown structure${skipNote}`, async () => {
    const p = page();
    const state0 = await exampleLoaded(p);
    // Heart shown again afterwards, should the test stop before it does that itself.
    onTestFinished(async () => {
      if (!(await p.$eval('#structure-list input[aria-label="Show Heart"]', (e) => (e as HTMLInputElement).checked))) await p.click('#structure-list input[aria-label="Show Heart"]');
    });
    const before = await shownTable(p);
    expect(before.some((r) => r.name === 'Heart')).toBe(true);
    await p.click('#structure-list input[aria-label="Show Heart"]');
    const after = await shownTable(p);
    expect(after.map((r) => r.name)).toEqual(before.map((r) => r.name).filter((n) => n !== 'Heart'));
    expect(await p.$$eval('#dvh-plot polyline[data-name="Heart"]', (e) => e.length)).toBe(0);
    expect(await p.$$eval('#dvh-plot polyline.dvh-curve', (e) => e.length)).toBe(after.length);
    expect(await p.$$eval('#dvh-legend .legend-item', (e) => e.map((x) => x.textContent))).not.toContain('Heart');

    const downloads = session.tempDirs.find((d) => d.includes('dosekit-downloads-'))!;
    // This test's download only (Chromium would name a second one "... (1).csv").
    rmSync(join(downloads, 'dosekit-dvh-statistics.csv'), { force: true });
    await p.click('#export-csv');
    const csv = (await demoState(p)).csv;
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('ROI number,Structure,Volume (cm3),Min (Gy),Mean (Gy),Max (Gy),D95 (Gy),D2cc (Gy),V10Gy (cm3)');
    expect(lines.length - 1).toBe(after.length);
    const shownBody = after.map((r) => [r.roi, r.name, ...['volume', 'min', 'mean', 'max', 'stat:D95', 'stat:D2cc', 'stat:V10Gy'].map((k) => r.cells[k])].join(','));
    expect(lines.slice(1)).toEqual(shownBody);
    // The Blob link's download reaches the disk with the same text.
    const file = join(downloads, 'dosekit-dvh-statistics.csv');
    const deadline = Date.now() + 10_000;
    while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(downloads)).toContain('dosekit-dvh-statistics.csv');
    expect(readFileSync(file, 'utf8')).toBe(csv);
    await p.click('#structure-list input[aria-label="Show Heart"]');
    expect((await shownTable(p)).length).toBe(before.length);
    // Hiding, showing and the export calculate nothing.
    expect((await demoState(p)).generation).toBe(state0.generation);
  });

  it.skipIf(skip)(`sums the two example doses and recomputes the DVHs on the sum (max 29.2585 Gy)${skipNote}`, async () => {
    const p = page();
    const state0 = await exampleLoaded(p);
    const before = await shownTable(p);
    const t0 = Date.now();
    await p.click('#sum-doses');
    const state = await waitForDvhs(p, state0.generation);
    // The sum is followed by exactly one calculation, of every structure shown; none after it.
    expect(state.generation).toBe(state0.generation + 1);
    expect(await p.$eval('#dvh-info', (e) => e.textContent)).toContain(` ${before.length} DVHs in `);
    const info = await p.$eval('#dose-info', (e) => (e as HTMLElement).innerText.replace(/\s+/g, ' '));
    console.log(`[demo] sum and DVHs ${Date.now() - t0} ms after the click (calculation ${state.computeMs.toFixed(0)} ms): ${info}`);
    expect(state.dose?.derived).toBe(true);
    expect(info).toContain('sum of rtdose_substitute.dcm + rtdose_shifted.dcm');
    expect(await p.$eval('#dvh-info', (e) => e.textContent)).toContain('sum of');
    const shownMax = Number(await p.$eval('#dose-max', (e) => e.textContent!.replace(' Gy', '')));
    const nodeSum = await sumDoseGrids([await DoseGrid.fromFile(join(REPOSITORY_ROOT, 'examples/rtdose_substitute.dcm')), await DoseGrid.fromFile(join(REPOSITORY_ROOT, 'examples/rtdose_shifted.dcm'))], { backend: 'cpu' });
    expect(Math.abs(shownMax - DICOMPYLER_SUM_MAX_GY)).toBeLessThanOrEqual(HALF_LAST_DIGIT + 1e-5);
    expect(Math.abs(state.dose!.maxDoseGy - nodeSum.maxDoseGy)).toBeLessThan(1e-5);
    const after = await shownTable(p);
    expect(after.map((r) => r.name)).toEqual(before.map((r) => r.name));
    const body0 = before.find((r) => r.name === 'BODY')!;
    const body1 = after.find((r) => r.name === 'BODY')!;
    expect(body1.cells.volume).toBe(body0.cells.volume);
    expect(Number(body1.cells.mean)).toBeGreaterThan(1.5 * Number(body0.cells.mean));
    const maxShown = Math.max(...after.map((r) => Number(r.cells.max)));
    expect(maxShown).toBeGreaterThan(25);
    expect(maxShown).toBeLessThanOrEqual(shownMax + HALF_LAST_DIGIT);
    expect(await demoState(p)).toMatchObject({ phase: 'ready', generation: state0.generation + 1 });
    expect(session.pageErrors).toEqual([]);
  });

  it.skipIf(skip)(`the backend selector recomputes on the CPU fallback, with the same numbers${skipNote}`, async () => {
    const p = page();
    // On the sum of the two example doses: its DVHs on WebGPU, then on the CPU.
    const state0 = await exampleLoaded(p, { dose: 'the sum' });
    // Auto again afterwards, the page recalculated with it.
    onTestFinished(async () => {
      await settled(p);
      if ((await p.$eval('#backend-select', (e) => (e as HTMLSelectElement).value)) === 'auto') return;
      const generation = (await demoState(p)).generation;
      await p.select('#backend-select', 'auto');
      await waitForDvhs(p, generation);
    });
    const before = await shownTable(p);
    await p.select('#backend-select', 'cpu');
    const state = await waitForDvhs(p, state0.generation);
    console.log(`[demo] the sum's DVHs on the page's CPU fallback: ${state.computeMs.toFixed(0)} ms`);
    expect(state.backend?.kind).toBe('cpu');
    expect(await p.$eval('#backend-used', (e) => e.textContent)).toBe('CPU fallback');
    const after = await shownTable(p);
    expect(after.map((r) => r.name)).toEqual(before.map((r) => r.name));
    for (const [i, row] of after.entries()) {
      for (const [key, text] of Object.entries(row.cells)) {
        // The same dose sum on both; the DVHs agree within the float32 bounds, so the digits shown are equal or one apart.
        expect(Math.abs(Number(text) - Number(before[i].cells[key])), `${row.name} ${key}: ${text} (cpu) vs ${before[i].cells[key]} (webgpu)`).toBeLessThanOrEqual(0.001 + 1e-9);
      }
    }
    expect(session.pageErrors).toEqual([]);
    expect(session.consoleErrors).toEqual([]);
    expect(session.server!.failures).toEqual([]);
  });

  it.skipIf(skip)(`removing a derived structure takes it out of the list, the plot and the table${skipNote}`, async () => {
    const p = page();
    const state0 = await exampleLoaded(p);
    // Its own derived structure to remove.
    await p.type('#derived-input', 'Both = Heart | "Lt Lung"');
    await p.click('#derived-add');
    await waitForDvhs(p, state0.generation);
    const before = await shownTable(p);
    expect(before.map((r) => r.name)).toContain('Both');
    const roi = before.find((r) => r.name === 'Both')!.roi;
    expect(roi).toBeLessThan(0);
    await p.click(`#structure-list li.structure[data-roi="${roi}"] button.remove`);
    expect(await p.$$eval(`#structure-list li.structure[data-roi="${roi}"]`, (e) => e.length)).toBe(0);
    expect(await p.$$eval('#dvh-plot polyline[data-name="Both"]', (e) => e.length)).toBe(0);
    expect(await shownTable(p)).toEqual(before.filter((r) => r.name !== 'Both'));
    expect(session.pageErrors).toEqual([]);
  });
});
