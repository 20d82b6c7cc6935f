// SPDX-License-Identifier: BSD-3-Clause
// The page's controller: loads files, pairs them, computes the DVHs on the chosen backend and
// keeps the structures list, the DVH plot, the slice view and the statistics table in step.
// Derived structures (`Name = expression`) are calculated with the ROIs, and alone when added.
// window.dosekitDemo exposes the state for the browser test (test/browser/demo.test.ts).
import { VERSION, calculateDvhs, parseRoiDefinition } from '../dist/src/index.js';
import { describeBackend, probeWebGpu, resolveBackend } from './backend.js';
import { exposeDebugView } from './debug.js';
import { DvhView } from './dvh-view.js';
import { KIND_LABELS, fetchExample, pairEntries, readFileList } from './files.js';
import { ISODOSE_COLORS, SliceView, washColor } from './slice-view.js';
import { buildTable, downloadText, parseStatisticList, renderTable, tableToCsv } from './stats-table.js';
import { derivedRow, renderStructures, structureRows } from './structures.js';
import { sumDoses } from './sum.js';
import { describeError, el, fixed } from './util.js';

const $ = (id) => document.getElementById(id);
const DEFAULT_ISODOSE_LEVELS = [95, 80, 50, 30];

const state = {
  /** 'empty' | 'loading' | 'computing' | 'ready' | 'error' */
  phase: 'empty',
  entries: [],
  pairing: null,
  rois: [],
  /** Derived structures (structures.js derivedRow), numbered -1, -2, ... as added. */
  derived: [],
  derivedCount: 0,
  /** Plot the differential DVHs (volume per Gy) instead of the cumulative ones. */
  differential: false,
  /** Dose entries {name, grid, derived?, summary?}; the paired one first. */
  doses: [],
  doseIndex: 0,
  rxDoseGy: undefined,
  result: null,
  computeMs: 0,
  generation: 0,
  running: null,
  table: null,
  csv: '',
  errors: [],
};

const dvhView = new DvhView({ plot: $('dvh-plot'), tooltip: $('dvh-tooltip'), legend: $('dvh-legend') });
const sliceView = new SliceView({ canvas: $('slice-canvas'), slider: $('slice-slider'), label: $('slice-z'), readout: $('slice-readout'), note: $('slice-note') });

// ------------------------------------------------------------------------------------ status

function setStatus(text, kind = 'info') {
  const status = $('status');
  status.textContent = text;
  status.title = text;
  status.className = `status ${kind}`;
}

function setPhase(phase) {
  state.phase = phase;
  document.body.dataset.phase = phase;
}

/** Reports an error in the status line (and keeps it for the test); never rethrows. */
function report(error, what) {
  const { code, message } = describeError(error);
  state.errors.push({ code, message, what });
  setStatus(`${what}: ${code}: ${message}`, 'error');
  setPhase('error');
}

// ------------------------------------------------------------------------------------- files

function renderFiles() {
  const list = $('file-list');
  list.replaceChildren(
    ...state.entries.map((entry) =>
      el(
        'li',
        { class: `file ${entry.error ? 'file-error' : ''}`, dataset: { kind: entry.kind } },
        el('span', { class: `badge kind-${entry.kind}` }, KIND_LABELS[entry.kind] ?? entry.kind.toUpperCase()),
        el('span', { class: 'file-name', title: entry.name }, entry.name),
        entry.error ? el('span', { class: 'file-detail error-text' }, el('code', {}, entry.error.code), ` ${entry.error.message}`) : el('span', { class: 'file-detail' }, entry.detail),
      ),
    ),
  );
  if (!state.entries.length) list.append(el('li', { class: 'placeholder' }, 'No files yet.'));
  const pairing = $('pairing');
  const reason = state.pairing?.reason;
  pairing.hidden = !reason;
  if (reason) {
    pairing.replaceChildren(
      reason.structure && reason.dose ? el('span', {}, 'Paired ', el('strong', {}, reason.structure), ' with ', el('strong', {}, reason.dose), `: ${reason.why}.`) : el('span', {}, `${reason.structure ?? reason.dose}: ${reason.why}.`),
    );
  }
}

function renderDoseControls() {
  const select = $('dose-select');
  const current = state.doses[state.doseIndex];
  select.replaceChildren(...(state.doses.length ? state.doses.map((d, i) => el('option', { value: i }, d.name)) : [el('option', {}, 'no RT Dose loaded')]));
  select.disabled = state.doses.length < 2;
  select.value = String(state.doseIndex);
  const files = state.doses.filter((d) => !d.derived);
  const sum = $('sum-doses');
  sum.disabled = files.length < 2 || state.phase === 'computing';
  sum.title = files.length < 2 ? 'Load two RT Doses to sum them' : `Sum ${files[0].name} and ${files[1].name}`;
  const info = $('dose-info');
  info.hidden = !current;
  if (current) {
    const max = current.grid.maxDoseGy;
    info.replaceChildren(
      el(
        'span',
        {},
        el('span', { id: 'dose-name', class: 'dose-name' }, current.derived ? current.name : `Dose: ${current.name}`),
        ' · max ',
        el('strong', { id: 'dose-max', dataset: { value: max } }, `${fixed(max)} Gy`),
        current.summary ? el('span', { class: 'muted block' }, current.summary) : null,
        (current.warnings ?? []).map((w) => el('span', { class: 'warn-text block' }, w)),
      ),
    );
    $('wash-max').textContent = `${fixed(max, 2)} Gy`;
  }
}

/** Adds (or, with replace, sets) the loaded files; a file loaded again replaces its older copy. */
async function addEntries(entries, { replace = false } = {}) {
  const kept = replace ? [] : state.entries.filter((old) => old.error || !entries.some((e) => e.uid && e.uid === old.uid));
  state.entries = [...kept, ...entries];
  const pairing = pairEntries(state.entries);
  // The same structure set keeps the structures' visibility and the derived structures.
  const same = Boolean(pairing.structure) && pairing.structure === state.pairing?.structure;
  const wasVisible = same ? new Map(state.rois.map((r) => [r.number, r.visible])) : new Map();
  state.pairing = pairing;
  state.rois = pairing.structure ? structureRows(pairing.structure.parser) : [];
  for (const roi of state.rois) roi.visible = wasVisible.get(roi.number) ?? true;
  if (!same) {
    state.derived = [];
    state.derivedCount = 0;
  }
  for (const row of state.derived) Object.assign(row, { volumeCm3: null, dvhError: null });
  showDerivedError(null);
  const doseFiles = pairing.dose ? [pairing.dose, ...pairing.doses.filter((d) => d !== pairing.dose)] : [];
  state.doses = doseFiles.map((d) => ({ name: d.name, grid: d.parser.toDoseGrid() }));
  state.doseIndex = 0;
  const plan = pairing.plan?.parser.toPlan();
  state.rxDoseGy = plan?.rxDoseGy;
  state.result = null;
  renderFiles();
  renderDoseControls();
  renderStructureList();
  sliceView.setData({ dose: state.doses[0]?.grid ?? null, images: pairing.images.map((e) => ({ parser: e.parser, image: e.parser.toImage() })), rois: state.rois });
  const failed = entries.filter((e) => e.error).length;
  const note = failed ? ` (${failed} could not be read; see Files)` : '';
  if (pairing.structure && pairing.dose) {
    setStatus(`Loaded ${entries.length - failed} files${note}.`);
    await compute();
  } else {
    clearDvhs(pairing.reason ? `${pairing.reason.why[0].toUpperCase()}${pairing.reason.why.slice(1)}.` : 'No DVHs yet.');
    setStatus(`Loaded ${entries.length - failed} files${note}.`, failed ? 'error' : 'info');
    setPhase(failed && failed === entries.length ? 'error' : 'ready');
  }
}

// ------------------------------------------------------------------------------------ DVHs

function clearDvhs(message) {
  state.result = null;
  $('dvh-info').textContent = message;
  dvhView.render([], 1, { differential: state.differential });
  renderStatistics();
  $('recompute').disabled = !(state.pairing?.structure && state.doses.length);
  renderDerivedControls();
}

/** The structures list's rows: the structure set's ROIs, then the derived structures. */
function allRows() {
  return [...state.rois, ...state.derived];
}

function visibleDvhRows() {
  if (!state.result) return [];
  const byRoi = new Map(state.result.dvhs.map((d) => [d.roi, d.dvh]));
  return allRows()
    .filter((r) => r.visible && byRoi.has(r.number))
    .map((r) => ({ number: r.number, name: r.name, color: r.color, dvh: byRoi.get(r.number) }));
}

/** calculateDvhs's `rois` for derived structures: {name, expression} each. */
function derivedRequests(rows) {
  return rows.map((row) => ({ name: row.name, expression: row.expression }));
}

/**
 * Calculates the DVHs of every ROI and derived structure, or with `only` (derived rows) just
 * theirs, merged into the current result. Resolves to {status: 'done' | 'superseded' | 'failed', error?}.
 */
async function compute({ only = null } = {}) {
  const structure = state.pairing?.structure;
  const dose = state.doses[state.doseIndex];
  if (!structure || !dose) return { status: 'failed' };
  state.running?.abort();
  const controller = new AbortController();
  state.running = controller;
  const generation = ++state.generation;
  setPhase('computing');
  $('recompute').disabled = true;
  $('sum-doses').disabled = true;
  renderDerivedControls();
  const progress = $('dvh-progress');
  progress.hidden = false;
  progress.value = 0;
  const derived = only ?? state.derived;
  const names = derived.map((d) => d.name).join(', ');
  const status = { text: $('status').textContent, kind: $('status').className.replace(/^status\s*/, '').replace('busy', '') || 'info' };
  try {
    const backend = await resolveBackend($('backend-select').value);
    setStatus(`Calculating ${only ? `the DVH of ${names}` : 'DVHs'} on ${backend === 'webgpu' ? 'WebGPU' : 'the CPU'}…`, 'busy');
    const started = performance.now();
    // Every ROI by number plus the derived structures; without derived ones, simply all ROIs.
    const rois = only ? derivedRequests(only) : derived.length ? [...state.rois.map((r) => r.number), ...derivedRequests(derived)] : undefined;
    const result = await calculateDvhs(structure.parser, dose.grid, {
      rois,
      backend,
      signal: controller.signal,
      onProgress: (fraction) => {
        if (generation === state.generation) progress.value = fraction;
      },
    });
    if (generation !== state.generation) return { status: 'superseded' };
    state.computeMs = performance.now() - started;
    // Derived structures come back as -1, -2, ... in the order asked: the page's own numbers instead.
    const renumber = (roi) => (typeof roi === 'number' && roi < 0 ? derived[-roi - 1].number : roi);
    // The plan's prescription lets V95%-style statistics work.
    const dvhs = result.dvhs.map((d) => ({ ...d, roi: renumber(d.roi), dvh: state.rxDoseGy ? d.dvh.with({ rxDose: state.rxDoseGy }) : d.dvh }));
    // A derived structure's message starts "ROI -1 ...", the library's number: left out.
    const errors = result.errors.map((e) => (typeof e.roi === 'number' && e.roi < 0 ? { ...e, roi: renumber(e.roi), message: e.message.replace(/^ROI -\d+ /, '') } : e));
    if (only) {
      // Merged into the current result: the ROIs' DVHs stay; a structure removed meanwhile is left out.
      const asked = new Set(only.map((d) => d.number));
      const kept = (x) => !asked.has(x.roi) || state.derived.some((d) => d.number === x.roi);
      state.result = {
        ...result,
        dvhs: [...(state.result?.dvhs ?? []).filter((d) => !asked.has(d.roi)), ...dvhs.filter(kept)],
        errors: [...(state.result?.errors ?? []).filter((e) => !asked.has(e.roi)), ...errors.filter(kept)],
      };
    } else state.result = { ...result, dvhs, errors };
    syncRowsWithResult();
    renderStructureList();
    renderDvhs();
    setPhase('ready');
    // A derived structure without a DVH: the caller says why; the info and status lines stay.
    if (only && !dvhs.length) {
      setStatus(status.text, status.kind);
      return { status: 'done' };
    }
    const seconds = (state.computeMs / 1000).toFixed(2);
    $('dvh-info').replaceChildren(
      el('span', { id: 'backend-used', class: `backend-pill ${result.backend.kind}`, dataset: { kind: result.backend.kind, software: Boolean(result.backend.software) } }, describeBackend(result.backend)),
      el('span', {}, only ? ` ${state.result.dvhs.length} DVHs; ${names} added in ` : ` ${result.dvhs.length} DVHs in `),
      el('strong', { id: 'compute-time', dataset: { ms: state.computeMs } }, `${seconds} s`),
      el('span', { class: 'muted' }, ` · ${result.algorithm} algorithm · ${dose.name}`),
    );
    const warnings = [...new Set(result.dvhs.flatMap((d) => d.dvh.computedBy?.warnings ?? []))];
    const what = only ? `DVH of ${names}` : `DVHs of ${result.dvhs.length} structures`;
    setStatus(`${what} on ${describeBackend(result.backend)} in ${seconds} s${warnings.length ? ` (${warnings.join('; ')})` : ''}.`, warnings.length ? 'warn' : 'info');
    return { status: 'done' };
  } catch (error) {
    if (generation !== state.generation) return { status: 'superseded' };
    if (only) {
      // Adding a derived structure failed: the DVHs shown stay, the caller reports why.
      setStatus(status.text, status.kind);
      setPhase(state.result ? 'ready' : 'error');
      return { status: 'failed', error: describeError(error) };
    }
    clearDvhs('The DVHs could not be calculated.');
    report(error, 'DVH calculation');
    return { status: 'failed', error: describeError(error) };
  } finally {
    if (generation === state.generation) {
      progress.hidden = true;
      state.running = null;
      $('recompute').disabled = false;
      renderDoseControls();
      renderDerivedControls();
    }
  }
}

/** Each row's reason for having no DVH, and each derived structure's volume (its DVH's), from the result. */
function syncRowsWithResult() {
  const errors = new Map((state.result?.errors ?? []).map((e) => [e.roi, e]));
  const dvhs = new Map((state.result?.dvhs ?? []).map((d) => [d.roi, d.dvh]));
  for (const row of allRows()) row.dvhError = errors.get(row.number) ?? null;
  for (const row of state.derived) row.volumeCm3 = dvhs.get(row.number)?.volume ?? null;
}

function renderPlot() {
  const all = state.result?.dvhs ?? [];
  const axisMax = all.reduce((m, d) => Math.max(m, d.dvh.max), 0);
  dvhView.render(visibleDvhRows(), axisMax || 1, { differential: state.differential });
}

function renderDvhs() {
  renderPlot();
  renderStatistics();
}

function renderStatistics() {
  const names = parseStatisticList($('stat-names').value);
  state.table = buildTable(visibleDvhRows(), names);
  renderTable($('stats-table'), state.table);
  state.csv = tableToCsv(state.table);
  $('export-csv').disabled = !state.table.rows.length;
  const field = $('stat-names');
  const problems = $('stat-errors');
  field.classList.toggle('invalid', state.table.errors.length > 0);
  problems.hidden = !state.table.errors.length;
  problems.textContent = state.table.errors.map((e) => `${e.code}: ${e.message}`).join('\n');
  const missing = state.result?.errors ?? [];
  const dvhErrors = $('dvh-errors');
  dvhErrors.hidden = !missing.length;
  dvhErrors.textContent = missing.length ? `No DVH for ${missing.map((e) => `${e.name} (${e.code})`).join(', ')}.` : '';
}

// -------------------------------------------------------------------------------- structures

function renderStructureList() {
  const list = $('structure-list');
  if (!state.rois.length) {
    list.replaceChildren(el('li', { class: 'placeholder' }, 'No structure set loaded.'));
    return;
  }
  renderStructures(
    list,
    allRows(),
    (number, visible) => setVisible([number], visible),
    (number) => removeDerived(number),
  );
}

function setVisible(numbers, visible) {
  for (const roi of allRows()) if (numbers.includes(roi.number)) roi.visible = visible;
  renderStructureList();
  renderDvhs();
  sliceView.draw();
}

// ------------------------------------------------------------------------ derived structures

/** Add is possible with a structure set, a dose and DVHs, while nothing is being calculated. */
function renderDerivedControls() {
  const ready = Boolean(state.pairing?.structure && state.doses.length && state.result) && state.phase !== 'computing';
  $('derived-add').disabled = !ready;
  $('derived-add').title = ready ? '' : 'Load a structure set and a dose first';
}

/** Shows `problem` ({code, message}, a caret on lines after the first) under the input, or clears it with null. */
function showDerivedError(problem) {
  const box = $('derived-error');
  $('derived-input').classList.toggle('invalid', Boolean(problem));
  box.hidden = !problem;
  if (!problem) {
    box.replaceChildren();
    return;
  }
  // E_BAD_ROI_EXPRESSION: "...at column n:\n  text\n  ^": the text and caret in a monospace block.
  const [first, ...rest] = String(problem.message).split('\n');
  const parts = [first];
  if (problem.code) parts.unshift(el('code', { class: 'error-code' }, problem.code), ' ');
  if (rest.length) parts.push(el('pre', { class: 'caret' }, rest.map((line) => line.replace(/^ {2}/, '')).join('\n')));
  box.replaceChildren(...parts);
}

/** Adds the derived structure `Name = expression` typed in the field: parsed here, calculated alone. */
async function addDerived() {
  const input = $('derived-input');
  const text = input.value.trim();
  if (!text || $('derived-add').disabled) return;
  let definition;
  try {
    definition = parseRoiDefinition(text);
  } catch (error) {
    showDerivedError(describeError(error));
    return;
  }
  const taken = allRows().find((r) => r.name.toLowerCase() === definition.name.toLowerCase());
  if (taken) {
    showDerivedError({ message: `A structure named "${taken.name}" exists already; choose another name.` });
    return;
  }
  showDerivedError(null);
  state.derivedCount += 1;
  const row = derivedRow(-state.derivedCount, definition.name, definition.expression);
  state.derived.push(row);
  renderStructureList();
  const outcome = await compute({ only: [row] });
  if (outcome.status === 'superseded') return;
  const problem = outcome.error ?? row.dvhError;
  if (problem) {
    // An unknown ROI, an empty result...: reported under the field; the structure is not added.
    removeDerived(row.number);
    showDerivedError(problem);
  } else if (input.value.trim() === text) input.value = '';
}

function removeDerived(number) {
  state.derived = state.derived.filter((d) => d.number !== number);
  if (state.result) {
    state.result = { ...state.result, dvhs: state.result.dvhs.filter((d) => d.roi !== number), errors: state.result.errors.filter((e) => e.roi !== number) };
  }
  renderStructureList();
  renderDvhs();
}

// -------------------------------------------------------------------------------------- sum

async function sumLoadedDoses() {
  const files = state.doses.filter((d) => !d.derived);
  if (files.length < 2 || state.phase === 'computing') return;
  setPhase('computing');
  $('sum-doses').disabled = true;
  try {
    const backend = await resolveBackend($('backend-select').value);
    setStatus(`Summing ${files[0].name} and ${files[1].name}…`, 'busy');
    const sum = await sumDoses(files[0], files[1], backend);
    state.doses = [...state.doses.filter((d) => !d.derived), sum];
    state.doseIndex = state.doses.length - 1;
    renderDoseControls();
    sliceView.setData({ dose: sum.grid, images: sliceView.images, rois: state.rois });
    await compute();
  } catch (error) {
    report(error, 'Dose sum');
    renderDoseControls();
  }
}

// ---------------------------------------------------------------------------------- wiring

function isodoseInputs() {
  const box = $('isodose-levels');
  DEFAULT_ISODOSE_LEVELS.forEach((level, i) => {
    const input = el('input', { type: 'number', min: 1, max: 100, step: 1, value: level, class: 'level', 'aria-label': `Isodose level ${i + 1} (% of max)`, dataset: { level: i } });
    input.style.borderColor = ISODOSE_COLORS[i];
    input.style.boxShadow = `inset 3px 0 0 ${ISODOSE_COLORS[i]}`;
    input.addEventListener('input', () => sliceView.setLevels([...box.querySelectorAll('input.level')].map((x) => Number(x.value))));
    box.append(input);
  });
  sliceView.setLevels(DEFAULT_ISODOSE_LEVELS);
  const stops = [0, 0.25, 0.5, 0.75, 1].map((t) => `rgb(${washColor(t).join(',')}) ${t * 100}%`);
  $('wash-bar').style.background = `linear-gradient(90deg, ${stops.join(', ')})`;
}

async function withLoading(what, work) {
  setPhase('loading');
  setStatus(`${what}…`, 'busy');
  try {
    await work();
  } catch (error) {
    report(error, what);
  }
}

function wire() {
  $('version').textContent = `v${VERSION}`;
  $('load-example').addEventListener('click', () => withLoading('Loading the example', async () => addEntries(await fetchExample(new URL('../examples/', document.baseURI)), { replace: true })));
  $('open-files').addEventListener('click', () => $('file-input').click());
  $('file-input').addEventListener('change', (event) => {
    const files = [...event.target.files];
    event.target.value = '';
    if (files.length) void withLoading('Reading files', async () => addEntries(await readFileList(files)));
  });
  const overlay = $('drop-overlay');
  let depth = 0;
  document.addEventListener('dragenter', (event) => {
    if (![...(event.dataTransfer?.types ?? [])].includes('Files')) return;
    depth += 1;
    overlay.hidden = false;
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) overlay.hidden = true;
  });
  document.addEventListener('dragover', (event) => event.preventDefault());
  document.addEventListener('drop', (event) => {
    event.preventDefault();
    depth = 0;
    overlay.hidden = true;
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length) void withLoading('Reading files', async () => addEntries(await readFileList(files)));
  });
  $('backend-select').addEventListener('change', () => void compute());
  $('recompute').addEventListener('click', () => void compute());
  $('dose-select').addEventListener('change', (event) => {
    state.doseIndex = Number(event.target.value);
    renderDoseControls();
    sliceView.setData({ dose: state.doses[state.doseIndex].grid, images: sliceView.images, rois: state.rois });
    void compute();
  });
  $('sum-doses').addEventListener('click', () => void sumLoadedDoses());
  let statTimer = 0;
  $('stat-names').addEventListener('input', () => {
    clearTimeout(statTimer);
    statTimer = setTimeout(renderStatistics, 200);
  });
  $('stat-names').addEventListener('change', () => {
    clearTimeout(statTimer);
    renderStatistics();
  });
  $('export-csv').addEventListener('click', () => {
    if (!state.table?.rows.length) return;
    downloadText(state.csv, 'dosekit-dvh-statistics.csv');
  });
  $('show-all').addEventListener('click', () => setVisible(allRows().map((r) => r.number), true));
  $('show-none').addEventListener('click', () => setVisible(allRows().map((r) => r.number), false));
  $('dvh-differential').addEventListener('change', (event) => {
    state.differential = event.target.checked;
    renderPlot();
  });
  $('derived-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void addDerived();
  });
  $('derived-input').addEventListener('input', () => {
    if ($('derived-input').classList.contains('invalid')) showDerivedError(null);
  });
  isodoseInputs();
  clearDvhs('No DVHs yet: load a structure set and a dose.');
  void probeWebGpu().then((probe) => {
    const option = $('backend-select').querySelector('option[value="webgpu"]');
    if (!probe.available) {
      option.disabled = true;
      option.textContent = 'WebGPU (unavailable)';
      $('backend-select').title = probe.reason;
    }
    document.body.dataset.webgpu = String(probe.available);
  });
}

exposeDebugView(state, sliceView);
wire();
setPhase('empty');
