// SPDX-License-Identifier: BSD-3-Clause
// Family 6, interrupted and damaged shards. A small generated cohort (six patients and an
// unpaired dose) is run once unsharded and as `batch --shard I/3` (CSV) and I/2 (JSON); each case
// merges copies of those shards, intact (must equal the unsharded output byte for byte, whatever
// the order or file names), or damaged: a row removed, repeated or edited, a file cut mid-line,
// the manifest line deleted, bodies swapped between shards (E_SHARD_DAMAGED), a shard missing,
// repeated or from another run (E_SHARD_MISSING / E_SHARD_DUPLICATE / E_SHARD_MISMATCH); a
// refused merge writes nothing. Then `batch --shard` runs interrupted by SIGINT at a random
// moment: exit 130 and no output file (or the old one, untouched), or a complete run.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_GRID, baseDoseElements, basePixelBytes, baseRois, circleRing, encodePart10, RT_DOSE, RT_STRUCT, structElements } from './dicom.mjs';
import { caseRng } from './prng.mjs';
import { commonChecks, describeRun, runChild } from './runner.mjs';

export const FAMILY = 'shards';

/** Every UI value (not DICOM-defined) of `elements` through `map`, recursively. */
function mapUids(elements, map) {
  return elements.map((e) => {
    if (e.vr === 'UI' && Array.isArray(e.value)) return { ...e, value: e.value.map((u) => (String(u).startsWith('1.2.840.10008.') ? u : map(String(u)))) };
    if (e.vr === 'SQ' && Array.isArray(e.value)) return { ...e, value: e.value.map((item) => mapUids(item, map)) };
    return e;
  });
}

const setValue = (elements, tag, value) => elements.map((e) => (e.tag === tag ? { ...e, value } : e));

/**
 * Writes a cohort of `patients` patients (P01...: an RT Structure Set and an RT Dose that
 * references it, own UIDs and PatientID) plus one unpaired dose into `root`. `grid` sets the dose
 * size (a larger one makes each dose slower, for interrupting); `rois` extra ROI count.
 */
export function writeCohort(root, { patients = 6, grid = BASE_GRID, extraRois = 0 } = {}) {
  const pixels = basePixelBytes(grid);
  const rois = [...baseRois()];
  for (let k = 0; k < extraRois; k += 1) rois.push({ number: 10 + k, name: `Ring${k}`, planes: [-9, -6, -3, 0, 3, 6, 9].map((z) => ({ z, rings: [circleRing(-2 + (k % 5), -2 + (k % 3), 4 + (k % 7), 90)] })) });
  for (let p = 1; p <= patients + 1; p += 1) {
    const id = `P${String(p).padStart(2, '0')}`;
    const uid = (u) => `${u}.${p}`;
    const dir = join(root, p > patients ? 'orphans' : `site-${p % 2}`, id);
    mkdirSync(dir, { recursive: true });
    let dose = mapUids(baseDoseElements(grid, pixels), uid);
    dose = setValue(dose, '00100020', [id]);
    if (p > patients) dose = dose.filter((e) => e.tag !== '300C0060').map((e) => (e.tag === '00200052' ? { ...e, value: ['2.25.42424242'] } : e));
    const doseUid = dose.find((e) => e.tag === '00080018').value[0];
    writeFileSync(join(dir, 'dose.dcm'), encodePart10(dose, { sopClass: RT_DOSE, sopInstance: doseUid }).bytes);
    if (p > patients) continue;
    let ss = mapUids(structElements(rois), uid);
    ss = setValue(ss, '00100020', [id]);
    const ssUid = ss.find((e) => e.tag === '00080018').value[0];
    writeFileSync(join(dir, 'rtss.dcm'), encodePart10(ss, { sopClass: RT_STRUCT, sopInstance: ssUid }).bytes);
  }
  return root;
}

let prepared;
/** The cohort, its unsharded outputs and its shards, made once per process. */
export function prepareShards() {
  prepared ??= makeShards();
  return prepared;
}

/** Removes what prepareShards made. */
export async function cleanupShards() {
  if (!prepared) return;
  const { dir } = await prepared.catch(() => ({}));
  prepared = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
}

async function makeShards() {
  const dir = mkdtempSync(join(tmpdir(), 'dosekit-fuzz-shards-'));
  const cohort = writeCohort(join(dir, 'cohort'));
  const run = async (args, allowed = [0, 2]) => {
    const result = await runChild(args, { cwd: dir });
    const failures = commonChecks(result, { exits: allowed });
    if (failures.length > 0) throw new Error(`preparing the shard cases: \`dosekit ${args.join(' ')}\` failed: ${failures.join('; ')}\n${describeRun(result)}`);
  };
  await run(['batch', 'cohort', '--out', 'full.csv']);
  await run(['batch', 'cohort', '--out', 'full.json']);
  for (let i = 0; i < 3; i += 1) await run(['batch', 'cohort', '--shard', `${i}/3`, '--out', `shard-${i}.csv`]);
  for (let i = 0; i < 2; i += 1) await run(['batch', 'cohort', '--shard', `${i}/2`, '--out', `shard-${i}.json`]);
  await run(['batch', 'cohort', '--shard', '1/3', '--stats', 'D50', '--out', 'other-1.csv']);
  const read = (name) => readFileSync(join(dir, name), 'utf8');
  // A shard output with whatever `batch --shard` writes beside it (NAME.something: its manifest).
  const unit = (name) => {
    const sidecars = {};
    for (const other of readdirSync(dir)) if (other.startsWith(`${name}.`)) sidecars[other.slice(name.length)] = read(other);
    return { text: read(name), sidecars };
  };
  return {
    dir,
    cohort,
    full: read('full.csv'),
    fullJson: read('full.json'),
    csv: [0, 1, 2].map((i) => unit(`shard-${i}.csv`)),
    json: [0, 1].map((i) => unit(`shard-${i}.json`)),
    other: unit('other-1.csv'),
  };
}

/** Lines of a shard: [manifest, header, ...rows] (each with its newline). */
function lines(text) {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Row-level damage of a CSV shard's text by `rng`; returns {text, what}. */
function damageCsv(rng, text, kind) {
  const all = lines(text);
  const rowAt = () => rng.int(2, all.length - 1);
  switch (kind) {
    case 'remove-row': {
      const i = rowAt();
      all.splice(i, 1);
      return { text: all.join(''), what: `row ${i} removed` };
    }
    case 'duplicate-row': {
      const i = rowAt();
      all.splice(i, 0, all[i]);
      return { text: all.join(''), what: `row ${i} repeated` };
    }
    case 'edit-number': {
      const i = rowAt();
      const digits = [...all[i].matchAll(/\d/g)].map((m) => m.index).filter((at) => at > all[i].indexOf(',dose.dcm') || true);
      const at = rng.pick(digits);
      const old = all[i][at];
      const next = String((Number(old) + rng.int(1, 9)) % 10);
      all[i] = all[i].slice(0, at) + next + all[i].slice(at + 1);
      return { text: all.join(''), what: `row ${i}: a digit at column ${at} ${old} -> ${next}` };
    }
    case 'edit-name': {
      const i = rowAt();
      const before = all[i];
      all[i] = before.replace(/,(Box|Cylinder|Slab),/, (_, n) => `,${n}X,`);
      if (all[i] === before) all[i] = `${before.slice(0, -1)}x\n`;
      return { text: all.join(''), what: `row ${i}: a name changed` };
    }
    case 'truncate-mid-line': {
      const i = rowAt();
      const start = all.slice(0, i).join('').length;
      const cut = start + rng.int(1, Math.max(1, all[i].length - 2));
      return { text: text.slice(0, cut), what: `cut at byte ${cut}, within row ${i}` };
    }
    case 'truncate-at-line-end': {
      const keep = rng.int(2, all.length - 1);
      return { text: all.slice(0, keep).join(''), what: `cut after line ${keep} of ${all.length}` };
    }
    case 'blank-line': {
      const i = rowAt();
      all.splice(i, 0, '\n');
      return { text: all.join(''), what: `blank line inserted before row ${i}` };
    }
    default:
      throw new Error(kind);
  }
}

const ROW_DAMAGE = ['remove-row', 'duplicate-row', 'edit-number', 'edit-name', 'truncate-mid-line', 'truncate-at-line-end'];

/** A merge case: `make(shards, rng)` returns {files: [[name, text]...], what}; `want`: 'same' or {codes}. */
function mergeCase(seed, id, make, want, { json = false, index = 0 } = {}) {
  return {
    id,
    family: FAMILY,
    seed,
    setup: async (folders) => {
      const shards = await prepareShards();
      const rng = caseRng(seed, id, index);
      const { files, what } = make(shards, rng);
      const paths = files.map(([name, content]) => {
        const path = join(folders.input, name);
        const u = typeof content === 'string' ? { text: content, sidecars: {} } : content;
        writeFileSync(path, u.text);
        for (const [suffix, text] of Object.entries(u.sidecars)) writeFileSync(path + suffix, text);
        return path;
      });
      const out = json ? 'all.json' : 'all.csv';
      const args = ['batch', '--merge', ...paths, '-o', out];
      if (want === 'same') {
        return {
          args,
          note: what,
          outputs: [out],
          expect: { codes: [], exits: [0] },
          oracle: (_result, f) => {
            let got;
            try {
              got = readFileSync(join(f.work, out), 'utf8');
            } catch {
              return [`no ${out} written`];
            }
            return got === (json ? shards.fullJson : shards.full) ? [] : [`${out} differs from the unsharded run's output`];
          },
        };
      }
      if (want.orSame) {
        // Refused, or merged into exactly the unsharded output (the rows themselves are intact).
        return {
          args,
          note: what,
          outputs: [out],
          expect: { codes: want.codes, exits: [0, 1] },
          oracle: (result, f) => {
            if (result.code !== 0) return [];
            const got = readFileSync(join(f.work, out), 'utf8');
            return got === (json ? shards.fullJson : shards.full) ? [] : [`merged (exit 0) into an ${out} that differs from the unsharded run's output`];
          },
        };
      }
      return { args, note: what, expect: { codes: want.codes, exits: [1] } };
    },
  };
}

export function shardCases(seed, count) {
  const cases = [];
  const csvNames = (units) => units.map((u, i) => [`shard-${i}.csv`, u]);
  /** The unit with its text replaced (its sidecars, the manifest, kept as written for the original). */
  const withText = (u, text) => ({ text, sidecars: u.sidecars });
  const damaged = { codes: ['E_SHARD_DAMAGED'] };
  cases.push(mergeCase(seed, `${FAMILY}/intact`, (s) => ({ files: csvNames(s.csv), what: 'three intact shards' }), 'same'));
  cases.push(mergeCase(seed, `${FAMILY}/intact-reversed`, (s) => ({ files: csvNames(s.csv).reverse(), what: 'given in reverse order' }), 'same'));
  cases.push(
    mergeCase(seed, `${FAMILY}/whole-files-swapped`, (s) => ({ files: [['shard-0.csv', s.csv[2]], ['shard-1.csv', s.csv[1]], ['shard-2.csv', s.csv[0]]], what: "shards 0 and 2 (with their manifests) under each other's names" }), 'same'),
  );
  cases.push(mergeCase(seed, `${FAMILY}/intact-json`, (s) => ({ files: s.json.map((u, i) => [`shard-${i}.json`, u]), what: 'two intact JSON shards' }), 'same', { json: true }));
  for (const kind of ROW_DAMAGE) {
    cases.push(
      mergeCase(seed, `${FAMILY}/${kind}`, (s, rng) => {
        const i = rng.int(0, 2);
        const d = damageCsv(rng, s.csv[i].text, kind);
        const units = [...s.csv];
        units[i] = withText(units[i], d.text);
        return { files: csvNames(units), what: `shard ${i}: ${d.what}` };
      }, damaged),
    );
  }
  cases.push(
    mergeCase(seed, `${FAMILY}/first-line-deleted`, (s) => ({ files: csvNames([s.csv[0], withText(s.csv[1], lines(s.csv[1].text).slice(1).join('')), s.csv[2]]), what: "shard 1 without its '# dosekit batch shard' line" }), {
      codes: ['E_SHARD_DAMAGED', 'E_SHARD_MISMATCH'],
      orSame: true,
    }),
  );
  cases.push(
    mergeCase(seed, `${FAMILY}/manifest-deleted`, (s) => {
      if (Object.keys(s.csv[1].sidecars).length === 0) return { files: csvNames([s.csv[0], withText(s.csv[1], lines(s.csv[1].text).slice(1).join('')), s.csv[2]]), what: 'no manifest file is written; its first line removed instead' };
      return { files: csvNames([s.csv[0], { text: s.csv[1].text, sidecars: {} }, s.csv[2]]), what: `shard 1 without ${Object.keys(s.csv[1].sidecars).map((x) => `shard-1.csv${x}`).join(', ')}` };
    }, { codes: ['E_SHARD_DAMAGED', 'E_SHARD_MISMATCH'] }),
  );
  cases.push(
    mergeCase(seed, `${FAMILY}/manifest-truncated`, (s) => {
      const sidecars = Object.fromEntries(Object.entries(s.csv[2].sidecars).map(([k, v]) => [k, v.slice(0, Math.floor(v.length / 2))]));
      const text = Object.keys(sidecars).length > 0 ? s.csv[2].text : lines(s.csv[2].text).slice(1).join('');
      return { files: csvNames([s.csv[0], s.csv[1], { text, sidecars }]), what: 'shard 2 with its manifest cut in half' };
    }, { codes: ['E_SHARD_DAMAGED', 'E_SHARD_MISMATCH'] }),
  );
  cases.push(mergeCase(seed, `${FAMILY}/empty-file`, (s) => ({ files: csvNames([s.csv[0], withText(s.csv[1], ''), s.csv[2]]), what: 'shard 1 empty' }), { codes: ['E_SHARD_DAMAGED', 'E_SHARD_MISMATCH'] }));
  cases.push(
    mergeCase(seed, `${FAMILY}/bodies-swapped`, (s) => {
      const [a, b] = [lines(s.csv[0].text), lines(s.csv[2].text)];
      return {
        files: csvNames([withText(s.csv[0], [...a.slice(0, 2), ...b.slice(2)].join('')), s.csv[1], withText(s.csv[2], [...b.slice(0, 2), ...a.slice(2)].join(''))]),
        what: 'rows of shards 0 and 2 swapped, first lines and manifests kept',
      };
    }, damaged),
  );
  cases.push(mergeCase(seed, `${FAMILY}/shard-missing`, (s) => ({ files: csvNames([s.csv[0], s.csv[2]]), what: 'shard 1 left out' }), { codes: ['E_SHARD_MISSING'] }));
  cases.push(mergeCase(seed, `${FAMILY}/shard-twice`, (s) => ({ files: [...csvNames(s.csv), ['copy-of-1.csv', s.csv[1]]], what: 'shard 1 given twice' }), { codes: ['E_SHARD_DUPLICATE'] }));
  cases.push(mergeCase(seed, `${FAMILY}/other-run`, (s) => ({ files: csvNames([s.csv[0], s.other, s.csv[2]]), what: 'shard 1 from a run with other --stats' }), { codes: ['E_SHARD_MISMATCH'] }));
  cases.push(
    mergeCase(seed, `${FAMILY}/json-edit-number`, (s) => {
      const text = s.json[1].text.replace(/("meanGy": ?)(\d)/, (_, k, d) => `${k}${(Number(d) + 1) % 10}`);
      return { files: [['shard-0.json', s.json[0]], ['shard-1.json', withText(s.json[1], text)]], what: 'JSON shard 1: a meanGy edited' };
    }, damaged, { json: true }),
  );
  cases.push(
    mergeCase(seed, `${FAMILY}/json-remove-row`, (s) => {
      const value = JSON.parse(s.json[0].text);
      value.rows.splice(1, 1);
      return { files: [['shard-0.json', withText(s.json[0], JSON.stringify(value, null, 2))], ['shard-1.json', s.json[1]]], what: 'JSON shard 0: row 1 removed' };
    }, damaged, { json: true }),
  );
  // Random row damage, one or two shards.
  for (let k = 0; k < count; k += 1) {
    cases.push(
      mergeCase(seed, `${FAMILY}/random-${k}`, (s, rng) => {
        const units = [...s.csv];
        const whats = [];
        for (const i of rng.sample(3, rng.int(1, 2))) {
          const d = damageCsv(rng, units[i].text, rng.pick([...ROW_DAMAGE, 'blank-line']));
          units[i] = withText(units[i], d.text);
          whats.push(`shard ${i}: ${d.what}`);
        }
        return { files: csvNames(units), what: whats.join('; ') };
      }, { codes: ['E_SHARD_DAMAGED', 'E_SHARD_MISMATCH'] }, { index: k }),
    );
  }
  // Interrupted shard runs: SIGINT at a random moment.
  for (let k = 0; k < Math.max(2, Math.ceil(count / 2)); k += 1) {
    const rng = caseRng(seed, `${FAMILY}-interrupt`, k);
    const delay = rng.int(500, 2200);
    const existing = k % 2 === 1;
    cases.push({
      id: `${FAMILY}/interrupted-${k}`,
      family: FAMILY,
      seed,
      describe: `SIGINT after ${delay} ms${existing ? ', an older shard.csv in place (--force)' : ''}`,
      setup: async (folders) => {
        writeCohort(join(folders.input, 'cohort'), { patients: 8, grid: { ...BASE_GRID, columns: 48, rows: 44, frames: 30, spacing: [1, 1], frameGap: 1, origin: [-24, -22, -15] }, extraRois: 6 });
        if (existing) writeFileSync(join(folders.work, 'shard.csv'), 'an older shard output\n');
        return {
          args: ['batch', join(folders.input, 'cohort'), '--shard', '0/1', '--out', 'shard.csv', ...(existing ? ['--force'] : [])],
          run: { interruptAfterMs: delay },
          outputs: ['shard.csv*'],
          expect: { exits: [0, 2, 130] },
          oracle: (result, f) => {
            if (result.code !== 0 && result.code !== 2) return [];
            // Not interrupted in time: a complete output, then.
            const text = readFileSync(join(f.work, 'shard.csv'), 'utf8');
            return /^# dosekit batch shard 0\/1 /.test(text) && text.endsWith('\n') && lines(text).length === 2 + 8 * 9 + 1 ? [] : ['the run finished but shard.csv is not complete'];
          },
        };
      },
    });
  }
  // An interrupted `sum` and `dvh --write-rtdose`: no partial output either (exit 130), or a complete one.
  for (let k = 0; k < 2; k += 1) {
    const rng = caseRng(seed, `${FAMILY}-interrupt-write`, k);
    const delay = rng.int(500, 1500);
    const command = k % 2 === 0 ? 'sum' : 'dvh';
    cases.push({
      id: `${FAMILY}/interrupted-${command}-${k}`,
      family: FAMILY,
      seed,
      describe: `SIGINT after ${delay} ms`,
      setup: async (folders) => {
        // Large enough to take a while: 200 x 200 x 100 voxels, the second dose shifted (resampled).
        const grid = { ...BASE_GRID, columns: 200, rows: 200, frames: 100, spacing: [0.25, 0.25], frameGap: 0.3, origin: [-25, -25, -15] };
        const shifted = { ...grid, origin: [-24.9, -24.9, -14.9] };
        const a = join(folders.input, 'a.dcm');
        const b = join(folders.input, 'b.dcm');
        writeFileSync(a, encodePart10(baseDoseElements(grid, basePixelBytes(grid)), { sopClass: RT_DOSE, sopInstance: '2.25.77' }).bytes);
        writeFileSync(b, encodePart10(baseDoseElements(shifted, basePixelBytes(shifted)).map((e) => (e.tag === '00080018' ? { ...e, value: ['2.25.79'] } : e)), { sopClass: RT_DOSE, sopInstance: '2.25.79' }).bytes);
        const rtss = join(folders.input, 'rtss.dcm');
        writeFileSync(rtss, encodePart10(structElements(baseRois()), { sopClass: RT_STRUCT, sopInstance: '2.25.78' }).bytes);
        const args = command === 'sum' ? ['sum', a, b, '--weights', '1,0.5', '-o', 'out.dcm'] : ['dvh', '--rtss', rtss, '--rtdose', a, '--format', 'csv', '--write-rtdose', 'out.dcm'];
        return {
          args,
          run: { interruptAfterMs: delay },
          outputs: ['out.dcm'],
          expect: { exits: [0, 130] },
          oracle: async (result, f) => {
            if (result.code !== 0) return [];
            const check = await runChild(['info', join(f.work, 'out.dcm')], { cwd: f.work });
            return check.code === 0 ? [] : [`the run finished but out.dcm does not read back: ${check.stderr.trim()}`];
          },
        };
      },
    });
  }
  return cases;
}
