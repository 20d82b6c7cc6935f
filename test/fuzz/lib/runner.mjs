// SPDX-License-Identifier: BSD-3-Clause
// Runs one fuzz case: a fresh folder per case (in/ for its inputs, work/ as the child's cwd,
// tmp/ as its TMPDIR), the built `dosekit` bin in a child process under a wall-clock limit
// (killed with SIGKILL past it) and a V8 heap cap, its peak resident set measured in the child,
// then the checks every case shares plus the case's own oracle. Returns the failures (strings),
// each prefixed with the seed and case id so it can be reproduced.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'dosekit.js');
// The benchmarks' preload: peak RSS and CPU time, written at exit.
const PRELOAD = fileURLToPath(new URL('../../../bench/lib/peak-rss.mjs', import.meta.url));

/**
 * Default bounds per case: `timeMs` of CPU time (user + system, every thread of the child: a
 * measure of the work that a loaded CI machine does not inflate), and a wall-clock limit of
 * `wallFactor` times that, past which the child is killed (a hang: a FIFO read, a loop waiting).
 */
export const LIMITS = Object.freeze({ timeMs: 15_000, wallFactor: 4, rssMiB: 600, heapMiB: 1024 });

/**
 * Runs `node <bin> ...args` (or `node <script> ...args`) in `cwd`; resolves to {code, signal,
 * stdout, stderr, elapsedMs, rssKiB, timedOut, interrupted}. `interruptAfterMs` sends SIGINT then
 * (the CLI's Ctrl-C); `interruptWhen(stdout, stderr)` sends it when that first returns true.
 */
export function runChild(args, { cwd, env = {}, timeMs = LIMITS.timeMs, heapMiB = LIMITS.heapMiB, script = BIN, interruptAfterMs, interruptWhen, stdin = 'ignore' } = {}) {
  const rssFile = join(cwd, '..', `rss-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMiB}`, '--import', PRELOAD, script, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env, FUZZ_PEAK_RSS_FILE: rssFile },
      stdio: [stdin, 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let interrupted = false;
    const interrupt = () => {
      if (!interrupted && child.exitCode === null) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    const cap = (text, more) => (text.length > 4_000_000 ? text : text + more);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      stdout = cap(stdout, d);
      if (interruptWhen && interruptWhen(stdout, stderr)) interrupt();
    });
    child.stderr.on('data', (d) => {
      stderr = cap(stderr, d);
      if (interruptWhen && interruptWhen(stdout, stderr)) interrupt();
    });
    const killer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeMs);
    const interrupter = interruptAfterMs !== undefined ? setTimeout(interrupt, interruptAfterMs) : undefined;
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (interrupter) clearTimeout(interrupter);
      const elapsedMs = performance.now() - started;
      let rssKiB = null;
      let cpuMs = null;
      try {
        const report = JSON.parse(readFileSync(rssFile, 'utf8'));
        rssKiB = Math.max(report.maxRssKiB ?? 0, report.vmHwmKiB ?? 0);
        cpuMs = report.cpuMs ?? null;
        rmSync(rssFile, { force: true });
      } catch {
        // No report: the child died before its exit handler (a signal, an abort).
      }
      resolve({ code, signal, stdout, stderr, elapsedMs, cpuMs, rssKiB, timedOut, interrupted, wallLimitMs: timeMs });
    });
  });
}

/** A map path -> {type, size, mtimeMs, sha} of everything under `dir` (symbolic links not followed). */
export function snapshot(dir, { hash = true } = {}) {
  const out = new Map();
  if (!existsSync(dir)) return out;
  const walk = (path) => {
    const st = lstatSync(path);
    const rel = relative(dir, path) || '.';
    const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : st.isFIFO() ? 'fifo' : 'other';
    const entry = { type, size: st.size, mtimeMs: st.mtimeMs };
    if (type === 'file' && hash) entry.sha = createHash('sha1').update(readFileSync(path)).digest('hex');
    out.set(rel, entry);
    if (type === 'dir') for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return out;
}

/** Differences between two snapshots, as strings ('' when none). */
export function diffSnapshots(before, after, label, { ignoreMtimeOf = [] } = {}) {
  const diffs = [];
  for (const [path, a] of before) {
    const b = after.get(path);
    if (!b) diffs.push(`${label}/${path} was removed`);
    else if (a.type !== b.type) diffs.push(`${label}/${path} changed from ${a.type} to ${b.type}`);
    else if (a.type === 'file' && (a.sha !== b.sha || a.size !== b.size)) diffs.push(`${label}/${path} changed content`);
    else if (a.type === 'file' && a.mtimeMs !== b.mtimeMs && !ignoreMtimeOf.includes(path)) diffs.push(`${label}/${path} was rewritten (mtime changed)`);
  }
  for (const path of after.keys()) if (!before.has(path)) diffs.push(`${label}/${path} was created`);
  return diffs;
}

const EXAMPLES = join(ROOT, 'examples');
let examplesBefore;

/** The per-case folders. */
export function caseFolders(baseDir) {
  const dir = mkdtempSync(join(baseDir ?? tmpdir(), 'dosekit-fuzz-'));
  const input = join(dir, 'in');
  const work = join(dir, 'work');
  const tmp = join(dir, 'tmp');
  for (const d of [input, work, tmp]) mkdirSync(d);
  return { dir, input, work, tmp };
}

/** error E_CODE lines of a run (stderr). */
export function errorCodes(text) {
  return [...text.matchAll(/\berror (E_[A-Z0-9_]+)\b/g)].map((m) => m[1]);
}

/** Any warning in a run: a `warning` line on stderr, or a non-empty `warnings`/`notes` in JSON on stdout. */
export function hasWarning(result) {
  if (/^\s*warning\b/im.test(result.stderr) || /\bwarning:/i.test(result.stderr)) return true;
  let json;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    return /\bwarning\b/i.test(result.stdout);
  }
  let found = false;
  const visit = (value, key) => {
    if (found || value === null || value === undefined) return;
    if ((key === 'warnings' || key === 'notes') && ((Array.isArray(value) && value.length > 0) || (typeof value === 'string' && value !== ''))) {
      found = true;
      return;
    }
    if (Array.isArray(value)) value.forEach((v) => visit(v));
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(json);
  return found;
}

/** Parses stdout as JSON, or undefined. */
export function stdoutJson(result) {
  try {
    return JSON.parse(result.stdout);
  } catch {
    return undefined;
  }
}

/** An argument as the shell would need it. */
function shellQuote(arg) {
  const text = String(arg);
  const shown = text.length > 200 ? `${text.slice(0, 200)}...(${text.length} chars)` : text;
  return /^[\w@%+=:,./-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, "'\\''")}'`;
}

/** A short account of a run for failure messages. */
export function describeRun(result) {
  const clip = (s, n = 1200) => (s.length > n ? `${s.slice(0, n)}... (${s.length} chars)` : s);
  return `exit ${result.code}${result.signal ? ` signal ${result.signal}` : ''}${result.timedOut ? ' TIMED OUT' : ''}, ${Math.round(result.elapsedMs)} ms wall, ${result.cpuMs === null || result.cpuMs === undefined ? '?' : Math.round(result.cpuMs)} ms CPU, peak RSS ${result.rssKiB === null ? '?' : `${Math.round(result.rssKiB / 1024)} MiB`}\n  stderr: ${clip(result.stderr.trim()) || '(empty)'}\n  stdout: ${clip(result.stdout.trim(), 400) || '(empty)'}`;
}

/**
 * The checks every run shares. `expect`: {codes?: string[] (allowed error codes; a fatal or
 * partial run must print at least one and only these), exits?: number[] (allowed exit codes;
 * default [0, 1, 2]), timeMs, rssMiB}.
 */
export function commonChecks(result, expect = {}) {
  const failures = [];
  const timeMs = expect.timeMs ?? LIMITS.timeMs;
  const rssMiB = expect.rssMiB ?? LIMITS.rssMiB;
  // SIGINT that lands before the CLI has installed its handler (Node still starting) ends the
  // process by the signal, as a shell's 130: the same outcome as the CLI's own exit 130.
  const interruptedBySignal = result.interrupted && result.signal === 'SIGINT';
  if (result.timedOut) failures.push(`did not finish within ${Math.round(result.wallLimitMs ?? timeMs)} ms of wall-clock time (killed)`);
  else if (result.signal && !interruptedBySignal) failures.push(`died of signal ${result.signal}`);
  const exits = expect.exits ?? [0, 1, 2];
  if (!result.timedOut && !result.signal && !exits.includes(result.code)) failures.push(`exit code ${result.code}, expected one of ${exits.join('/')}`);
  if (/E_INTERNAL/.test(result.stderr) || /E_INTERNAL/.test(result.stdout)) failures.push('reported E_INTERNAL (a bug)');
  if (/^\s+at .+(:\d+:\d+\)?|native\)?)$/m.test(result.stderr)) failures.push('printed a stack trace');
  if (/\b(TypeError|RangeError|ReferenceError|SyntaxError|FATAL ERROR|heap out of memory|Unhandled)\b/.test(result.stderr)) failures.push('printed a JavaScript error or crash message');
  if (!result.timedOut && typeof result.cpuMs === 'number' && result.cpuMs > timeMs) failures.push(`used ${Math.round(result.cpuMs)} ms of CPU time (limit ${timeMs} ms)`);
  if (result.rssKiB !== null && result.rssKiB > rssMiB * 1024) failures.push(`peak RSS ${Math.round(result.rssKiB / 1024)} MiB (limit ${rssMiB} MiB)`);
  if (result.rssKiB === null && !result.timedOut && !result.signal && result.code !== 130) failures.push('no peak-RSS report from the child');
  const codes = errorCodes(result.stderr);
  if (result.code === 1 && codes.length === 0) failures.push('exit 1 without an `error E_CODE` line');
  if (expect.codes) {
    const bad = codes.filter((c) => !expect.codes.includes(c));
    if (bad.length > 0) failures.push(`error code(s) ${[...new Set(bad)].join(', ')} not among the expected ${expect.codes.join('/')}`);
  }
  return failures;
}

/**
 * Runs a case: `kase` = {id, family, seed, setup(folders) -> {args, expect, oracle?, run?}}.
 * setup writes the inputs under folders.input (or elsewhere in folders.dir) and returns the
 * command line; `oracle(result, folders)` returns extra failures; `run` overrides the child
 * options (interruptAfterMs, timeMs...). Returns {failures, result}.
 */
export async function runCase(kase, { keep = false } = {}) {
  if (!examplesBefore) examplesBefore = snapshot(EXAMPLES, { hash: false });
  const folders = caseFolders();
  let result;
  let failures = [];
  try {
    const plan = await kase.setup(folders);
    const inputBefore = snapshot(folders.input);
    const workBefore = snapshot(folders.work);
    const opts = plan.run ?? {};
    const cpuLimitMs = plan.expect?.timeMs ?? LIMITS.timeMs;
    result = await runChild(plan.args, { cwd: folders.work, env: { TMPDIR: folders.tmp, ...(plan.env ?? {}) }, ...opts, timeMs: plan.wallMs ?? cpuLimitMs * LIMITS.wallFactor });
    failures = commonChecks(result, { ...(plan.expect ?? {}), ...(opts.interruptAfterMs !== undefined || opts.interruptWhen ? { exits: plan.expect?.exits ?? [0, 1, 2, 130] } : {}) });
    // Nothing written outside the target: the inputs are untouched (unless the case says which
    // input file is its output), examples/ too, the child's TMPDIR is left empty, and a fatal
    // run leaves work/ as it was.
    failures.push(...diffSnapshots(inputBefore, snapshot(folders.input), 'in', { ignoreMtimeOf: plan.inputMayBeTouched ?? [] }).filter((d) => !(plan.inputOutputs ?? []).some((o) => d.startsWith(`in/${o}`))));
    failures.push(...diffSnapshots(examplesBefore, snapshot(EXAMPLES, { hash: false }), 'examples'));
    const tmpLeft = readdirSync(folders.tmp);
    if (tmpLeft.length > 0) failures.push(`left ${tmpLeft.length} file(s) in its TMPDIR: ${tmpLeft.slice(0, 5).join(', ')}`);
    const workAfter = snapshot(folders.work);
    const allowed = plan.outputs ?? [];
    // An allowed output 'NAME*' also allows files beside it named NAME.something (a shard's manifest).
    const isAllowed = (d) =>
      allowed.some((o) => {
        const name = o.replace(/\*$/, '');
        return d === `work/${name} was created` || d.startsWith(`work/${name} `) || d.startsWith(`work/${name}/`) || (o.endsWith('*') && d.startsWith(`work/${name}.`) && d.endsWith(' was created'));
      });
    const workDiffs = diffSnapshots(workBefore, workAfter, 'work').filter((d) => !isAllowed(d));
    if (result.code === 1 || result.code === 130 || (result.interrupted && result.signal === 'SIGINT')) {
      const created = diffSnapshots(workBefore, workAfter, 'work');
      if (created.length > 0) failures.push(`a failed run (exit ${result.code}) changed its output folder: ${created.join('; ')}`);
    } else {
      failures.push(...workDiffs);
    }
    if (plan.oracle) failures.push(...(await plan.oracle(result, folders)));
    const dup = new Set();
    failures = failures.filter((f) => (dup.has(f) ? false : (dup.add(f), true)));
    if (failures.length > 0) {
      failures = [`[seed ${kase.seed}, case ${kase.id}]${kase.describe || plan.note ? ` (${kase.describe ?? plan.note})` : ''} \`dosekit ${plan.args.map(shellQuote).join(' ')}\` (cwd ${folders.work}; rerun: FUZZ_SEED=${kase.seed}${kase.count !== undefined ? ` FUZZ_CASES=${kase.count}` : ''} FUZZ_ONLY='${kase.id}' npx vitest run test/fuzz/${kase.family}.test.ts)\n  ${failures.join('\n  ')}\n  ${describeRun(result)}`];
      keep = true;
    }
  } catch (error) {
    failures = [`[seed ${kase.seed}, case ${kase.id}] setup or check threw: ${error && error.stack ? error.stack : error}`];
  } finally {
    if (!keep) rmSync(folders.dir, { recursive: true, force: true });
  }
  return { failures, result };
}
