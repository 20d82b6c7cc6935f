// SPDX-License-Identifier: BSD-3-Clause
// Family 1, mutated DICOM headers: attributes set to wrong values (DoseGridScaling 0/1/1e30/NaN/
// negative, Rows/Columns/NumberOfFrames/BitsAllocated inconsistent with the pixel data,
// GridFrameOffsetVector of the wrong length, PixelSpacing 0/negative/huge...), then random
// byte-level damage (length fields, VRs, tag numbers, flipped bytes, truncation at a random
// offset) of the RT Dose or the RT Structure Set; each run through `dosekit info` and `dosekit dvh`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DICOM_CODES, ROI_CODES, STATS, baselineDvh, compareDvhs, dvhOutput, implausibleInfoExpectation, jsonErrors, parseCsv, writeBase } from './common.mjs';
import { deflateRawSync } from 'node:zlib';
import { BASE_GRID, baseDose, baseDoseElements, baseRois, datasetBytes, deflateBomb, DEFLATED_EXPLICIT_LE, encodePart10, EXPLICIT_LE, IMPLICIT_LE, RT_DOSE, RT_STRUCT, RTDOSE_UID, RTSS_UID, structBytes, structElements, withElement } from './dicom.mjs';
import { caseRng } from './prng.mjs';
import { stdoutJson } from './runner.mjs';

export const FAMILY = 'headers';
const ALL_CODES = [...DICOM_CODES, ...ROI_CODES];

const doseWith = (tag, vr, value) => encodePart10(withElement(baseDoseElements(), tag, vr, value), { sopClass: RT_DOSE, sopInstance: RTDOSE_UID }).bytes;
const g = BASE_GRID;

/**
 * Named dose mutations: [name, bytes(), expected] where expected is {codes} (a coded failure of
 * the dose: exit 1, only these codes) or {ok: true, scale?} (success, the unmutated statistics
 * times `scale`), or {any: codes} (success or one of these codes, bounded).
 */
function doseMutations() {
  const fail = (...codes) => ({ codes });
  return [
    ['scaling-0', () => doseWith('3004000E', 'DS', ['0']), fail('E_MALFORMED_DICOM')],
    ['scaling-1', () => doseWith('3004000E', 'DS', ['1']), { ok: true, scale: 1 / g.scaling }],
    ['scaling-1e30', () => doseWith('3004000E', 'DS', ['1e30']), { ...fail('E_IMPLAUSIBLE_DOSE'), implausibleGy: 79150 * 1e30 }],
    ['scaling-NaN', () => doseWith('3004000E', 'DS', ['NaN']), fail('E_MALFORMED_DICOM')],
    ['scaling-negative', () => doseWith('3004000E', 'DS', ['-0.0001']), fail('E_MALFORMED_DICOM', 'E_IMPLAUSIBLE_DOSE')],
    ['scaling-text', () => doseWith('3004000E', 'DS', ['abc']), fail('E_MALFORMED_DICOM')],
    ['rows-plus-1', () => doseWith('00280010', 'US', [g.rows + 1]), fail('E_MALFORMED_DICOM')],
    ['rows-minus-1', () => doseWith('00280010', 'US', [g.rows - 1]), fail('E_MALFORMED_DICOM')],
    ['rows-0', () => doseWith('00280010', 'US', [0]), fail('E_MALFORMED_DICOM')],
    ['columns-65535', () => doseWith('00280011', 'US', [65535]), fail('E_MALFORMED_DICOM', 'E_TOO_LARGE')],
    ['frames-plus-1', () => doseWith('00280008', 'IS', [g.frames + 1]), fail('E_MALFORMED_DICOM')],
    ['frames-0', () => doseWith('00280008', 'IS', ['0']), fail('E_MALFORMED_DICOM')],
    ['frames-1e9', () => doseWith('00280008', 'IS', ['999999999']), fail('E_MALFORMED_DICOM', 'E_TOO_LARGE')],
    ['frames-negative', () => doseWith('00280008', 'IS', ['-3']), fail('E_MALFORMED_DICOM')],
    ['bits-16', () => doseWith('00280100', 'US', [16]), fail('E_MALFORMED_DICOM')],
    ['bits-8', () => doseWith('00280100', 'US', [8]), fail('E_MALFORMED_DICOM')],
    ['bits-0', () => doseWith('00280100', 'US', [0]), fail('E_MALFORMED_DICOM')],
    ['offsets-short', () => doseWith('3004000C', 'DS', Array.from({ length: g.frames - 1 }, (_, f) => f * g.frameGap)), fail('E_MALFORMED_DICOM')],
    ['offsets-long', () => doseWith('3004000C', 'DS', Array.from({ length: g.frames + 1 }, (_, f) => f * g.frameGap)), fail('E_MALFORMED_DICOM')],
    ['offsets-missing', () => doseWith('3004000C', 'DS', undefined), fail('E_MISSING_ATTRIBUTE', 'E_MALFORMED_DICOM')],
    ['offsets-all-equal', () => doseWith('3004000C', 'DS', Array.from({ length: g.frames }, () => 0)), fail('E_MALFORMED_DICOM')],
    ['spacing-0', () => doseWith('00280030', 'DS', [0, 0]), fail('E_MALFORMED_DICOM')],
    ['spacing-negative', () => doseWith('00280030', 'DS', [-2.5, -2.5]), fail('E_MALFORMED_DICOM')],
    ['spacing-one-value', () => doseWith('00280030', 'DS', [2.5]), fail('E_MALFORMED_DICOM')],
    ['spacing-huge', () => doseWith('00280030', 'DS', ['1e6', '1e6']), { any: ['E_MALFORMED_DICOM', 'E_TOO_LARGE', ...ROI_CODES] }],
    ['position-NaN', () => doseWith('00200032', 'DS', ['NaN', '0', '0']), fail('E_MALFORMED_DICOM')],
    ['orientation-oblique', () => doseWith('00200037', 'DS', [0.8, 0.6, 0, -0.6, 0.8, 0]), fail('E_UNSUPPORTED_ORIENTATION')],
    ['orientation-zero', () => doseWith('00200037', 'DS', [0, 0, 0, 0, 0, 0]), fail('E_MALFORMED_DICOM', 'E_UNSUPPORTED_ORIENTATION')],
    [
      'harmless-private-and-long-name',
      () => {
        let els = withElement(baseDoseElements(), '00100010', 'PN', ['X'.repeat(60_000)], {});
        els = withElement(els, '00090010', 'LO', ['FUZZ PRIVATE']);
        els = withElement(els, '00091001', 'OB', new Uint8Array(4096).map((_, i) => (i * 97) & 255));
        els = withElement(els, '30040006', 'LO', ['a comment \\ with a backslash']);
        return encodePart10(els, { sopClass: RT_DOSE, sopInstance: RTDOSE_UID }).bytes;
      },
      { ok: true, scale: 1 },
    ],
  ];
}

/** Named structure-set mutations: ROI 2 "Cylinder" damaged; the others must keep their statistics. */
function structMutations() {
  const damaged = (edit) => () => {
    const rois = baseRois();
    edit(rois[1]);
    return structBytes(rois).bytes;
  };
  return [
    ['contour-NaN', damaged((roi) => (roi.planes[2].rings[0][3] = [Number.NaN, 5])), { roiFails: 'Cylinder', codes: ['E_MALFORMED_DICOM'] }],
    ['contour-Infinity', damaged((roi) => (roi.planes[1].rings[0][0] = [Number.POSITIVE_INFINITY, 5])), { roiFails: 'Cylinder', codes: ['E_MALFORMED_DICOM'] }],
    ['contour-point-count-wrong', damaged((roi) => (roi.planes[0].points = 1000)), { roiMay: 'Cylinder', codes: ['E_MALFORMED_DICOM'] }],
    [
      'contour-data-not-triplets',
      () => {
        const els = structElements(baseRois());
        const contours = els.find((x) => x.tag === '30060039').value[1].find((x) => x.tag === '30060040').value;
        const data = contours[0].find((x) => x.tag === '30060050');
        data.value = [...data.value, 1.5];
        return encodePart10(els, { sopClass: '1.2.840.10008.5.1.4.1.1.481.3', sopInstance: '2.25.900000000000000000000000003' }).bytes;
      },
      { roiFails: 'Cylinder', codes: ['E_MALFORMED_DICOM'] },
    ],
  ];
}

/** Byte-level damage of `bytes` (with its element layout) chosen by `rng`; returns {bytes, what, inPixels}. */
export function damageBytes(rng, bytes, layout) {
  const out = bytes.slice();
  const pixel = layout.find((r) => r.tag === '7FE00010' && r.depth === 0);
  const headerEnd = pixel ? pixel.valueAt : bytes.length;
  const view = new DataView(out.buffer);
  const kind = rng.pick(['length', 'length', 'vr', 'tag', 'flip', 'zero', 'truncate', 'truncate']);
  const record = rng.pick(layout);
  switch (kind) {
    case 'length': {
      if (record.lengthAt < 0) break;
      const old = record.lengthSize === 2 ? view.getUint16(record.lengthAt, true) : view.getUint32(record.lengthAt, true);
      const max = record.lengthSize === 2 ? 0xffff : 0xffffffff;
      const value = rng.pick([0, 1, max, max - 1, old + 1, old - 1 < 0 ? 0 : old - 1, old + 2, Math.max(0, old - 2), old * 2, rng.int(0, max), old + 0x10000]) % (max + 1);
      if (record.lengthSize === 2) view.setUint16(record.lengthAt, value, true);
      else view.setUint32(record.lengthAt, value >>> 0, true);
      return { bytes: out, what: `length of ${record.tag} (depth ${record.depth}) ${old} -> ${value}`, inPixels: false };
    }
    case 'vr': {
      if (record.vrAt < 0) break;
      const vr = rng.pick(['OB', 'OW', 'SQ', 'UN', 'UT', 'US', 'UL', 'DS', 'IS', 'CS', 'FD', 'AT', 'XX', '\0\0', 'ob']);
      out[record.vrAt] = vr.charCodeAt(0);
      out[record.vrAt + 1] = vr.charCodeAt(1);
      return { bytes: out, what: `VR of ${record.tag} (depth ${record.depth}) -> ${JSON.stringify(vr)}`, inPixels: false };
    }
    case 'tag': {
      const group = rng.pick([0x0000, 0x0002, 0x0008, 0x0028, 0x3004, 0x7fe0, 0xfffe, 0xffff, rng.int(0, 0xffff)]);
      const element = rng.pick([0x0000, 0x0010, 0xe000, 0xe00d, 0xe0dd, rng.int(0, 0xffff)]);
      view.setUint16(record.start, group, true);
      view.setUint16(record.start + 2, element, true);
      return { bytes: out, what: `tag of ${record.tag} (depth ${record.depth}) -> ${group.toString(16).padStart(4, '0')}${element.toString(16).padStart(4, '0')}`, inPixels: false };
    }
    case 'flip': {
      const n = rng.int(1, 8);
      const at = [];
      for (let k = 0; k < n; k += 1) {
        const i = rng.int(128, headerEnd - 1);
        out[i] ^= rng.int(1, 255);
        at.push(i);
      }
      return { bytes: out, what: `flipped header bytes at ${at.join(',')}`, inPixels: false };
    }
    case 'zero': {
      const start = rng.int(132, headerEnd - 1);
      const end = Math.min(headerEnd, start + rng.int(1, 64));
      out.fill(0, start, end);
      return { bytes: out, what: `zeroed header bytes ${start}..${end}`, inPixels: false };
    }
    default:
      break;
  }
  const cut = rng.int(0, bytes.length - 1);
  return { bytes: bytes.slice(0, cut), what: `truncated at byte ${cut} of ${bytes.length}`, inPixels: pixel !== undefined && cut > pixel.valueAt, truncated: true };
}

const dvhArgs = (paths) => ['dvh', '--rtss', paths.rtss, '--rtdose', paths.dose, '--format', 'csv', '--stats', STATS];

/** The cases: every named mutation under `info` and `dvh`, then `count` random byte-level ones. */
export function headerCases(seed, count) {
  const cases = [];
  for (const [name, make, want] of doseMutations()) {
    // `dvh` reads the whole dose; `info` too, and is run where its answer is a different check.
    for (const command of /^(scaling|harmless|bits|rows-minus)/.test(name) ? ['info', 'dvh'] : ['dvh']) {
      cases.push({
        id: `${FAMILY}/dose-${name}/${command}`,
        family: FAMILY,
        seed,
        setup: async (folders) => {
          const paths = writeBase(folders.input, { dose: make() });
          const args = command === 'info' ? ['info', paths.dose, '--json'] : dvhArgs(paths);
          const truth = want.ok && command === 'dvh' ? await baselineDvh() : undefined;
          if (want.implausibleGy && command === 'info') return { args, ...implausibleInfoExpectation(want.implausibleGy) };
          if (want.codes) return { args, expect: { codes: want.codes, exits: [1] } };
          if (want.any) return { args, expect: { codes: want.any } };
          return {
            args,
            expect: { codes: [], exits: [0] },
            oracle: (result) => {
              const json = command === 'info' ? stdoutJson(result) : dvhOutput(result);
              if (!json) return ['stdout is neither the JSON nor the CSV expected'];
              if (command === 'info') {
                const max = json.dose?.maxGy;
                const expected = 7.915 * (want.scale ?? 1);
                return typeof max === 'number' && Math.abs(max - expected) <= 1e-6 * expected ? [] : [`info maxGy ${max}, expected ${expected}`];
              }
              return compareDvhs(json, truth, { scale: want.scale ?? 1, tol: want.scale && want.scale !== 1 ? 1e-5 : 1e-6 });
            },
          };
        },
      });
    }
  }
  for (const [name, make, want] of structMutations()) {
    for (const command of name === 'contour-NaN' ? ['info', 'dvh'] : ['dvh']) {
      cases.push({
        id: `${FAMILY}/rtss-${name}/${command}`,
        family: FAMILY,
        seed,
        setup: async (folders) => {
          const paths = writeBase(folders.input, { rtss: make() });
          if (command === 'info') return { args: ['info', paths.rtss, '--json'], expect: { codes: want.codes } };
          const truth = await baselineDvh();
          const others = truth.dvhs.map((d) => d.name).filter((n) => n !== (want.roiFails ?? want.roiMay));
          return {
            args: dvhArgs(paths),
            expect: { codes: want.codes, exits: want.roiFails ? [2] : [0, 2] },
            oracle: (result) => {
              const json = dvhOutput(result);
              if (!json) return ['stdout is not the CSV expected'];
              const failures = compareDvhs(json, truth, { names: others });
              if (want.roiFails) {
                const error = jsonErrors(json).find((e) => e.name === want.roiFails);
                if (!error) failures.push(`ROI "${want.roiFails}" is not reported as an error`);
                else if (!want.codes.includes(error.code)) failures.push(`ROI "${want.roiFails}" failed with ${error.code}, expected ${want.codes.join('/')}`);
                if ((json.dvhs ?? []).some((d) => d.name === want.roiFails)) failures.push(`ROI "${want.roiFails}" still has a DVH`);
              }
              for (const e of jsonErrors(json)) if (e.name !== (want.roiFails ?? want.roiMay)) failures.push(`ROI "${e.name}" failed (${e.code}) though it was not damaged`);
              return failures;
            },
          };
        },
      });
    }
  }
  // A deflated RT Dose of a few hundred KB holding a 256 MiB private element: under a 64 MiB
  // memory ceiling it is refused (E_TOO_LARGE) or read without holding it, within the RSS bound.
  for (const command of ['info', 'dvh']) {
    cases.push({
      id: `${FAMILY}/deflate-bomb-256M/${command}`,
      family: FAMILY,
      seed,
      describe: 'deflated dose with a 256 MiB element of zeros, --max-memory 64M',
      setup: async (folders) => {
        const dose = await deflateBomb(baseDoseElements(), '00091001', 256 * 1024 * 1024, { sopClass: RT_DOSE, sopInstance: RTDOSE_UID });
        const paths = writeBase(folders.input, { dose });
        const args = command === 'info' ? ['info', paths.dose, '--json', '--max-memory', '64M'] : [...dvhArgs(paths), '--max-memory', '64M'];
        return { args, expect: { codes: ['E_TOO_LARGE'], exits: [0, 1] } };
      },
    });
  }
  // `batch` over three patients, one of whose files is damaged: the others' rows are there and
  // right, the damaged one is a row error or a skipped line with a DICOM code, never E_INTERNAL.
  for (let k = 0; k < Math.max(2, Math.ceil(count / 4)); k += 1) {
    const rng = caseRng(seed, `${FAMILY}-batch`, k);
    const target = rng.pick(['dose', 'rtss']);
    const base = target === 'dose' ? baseDose() : structBytes();
    const damage = damageBytes(rng, base.bytes, base.layout);
    cases.push({
      id: `${FAMILY}/batch-damaged-${k}`,
      family: FAMILY,
      seed,
      describe: `P2's ${target}: ${damage.what}`,
      setup: async (folders) => {
        const cohort = join(folders.input, 'cohort');
        for (const patient of ['P1', 'P2', 'P3']) {
          mkdirSync(join(cohort, patient), { recursive: true });
          const uid = (u) => `${u}.${patient.slice(1)}`;
          const own = (elements) => elements.map((e) => (e.vr === 'UI' && Array.isArray(e.value) ? { ...e, value: e.value.map((v) => (String(v).startsWith('1.2.840.10008.') ? v : uid(String(v)))) } : e.vr === 'SQ' ? { ...e, value: e.value.map((item) => own(item)) } : e.tag === '00100020' ? { ...e, value: [patient] } : e));
          const doseEls = own(baseDoseElements());
          const ssEls = own(structElements(baseRois()));
          let dose = encodePart10(doseEls, { sopClass: RT_DOSE, sopInstance: uid(RTDOSE_UID) }).bytes;
          let rtss = encodePart10(ssEls, { sopClass: RT_STRUCT, sopInstance: uid(RTSS_UID) }).bytes;
          if (patient === 'P2') {
            // The same damage, at the same place, of P2's own file (same layout: UIDs of equal length).
            const own2 = target === 'dose' ? encodePart10(doseEls, { sopClass: RT_DOSE, sopInstance: uid(RTDOSE_UID) }) : encodePart10(ssEls, { sopClass: RT_STRUCT, sopInstance: uid(RTSS_UID) });
            const again = damageBytes(caseRng(seed, `${FAMILY}-batch`, k), own2.bytes, own2.layout);
            if (target === 'dose') dose = again.bytes;
            else rtss = again.bytes;
          }
          writeFileSync(join(cohort, patient, 'dose.dcm'), dose);
          writeFileSync(join(cohort, patient, 'rtss.dcm'), rtss);
        }
        const truth = await baselineDvh();
        return {
          args: ['batch', cohort, '--out', 'out.csv', '--stats', STATS],
          outputs: ['out.csv*'],
          expect: { codes: ALL_CODES, exits: [0, 2] },
          oracle: (result, f) => {
            let text;
            try {
              text = readFileSync(join(f.work, 'out.csv'), 'utf8');
            } catch {
              return ['no out.csv'];
            }
            const failures = [];
            if (/E_INTERNAL/.test(text)) failures.push('out.csv has an E_INTERNAL row');
            const rows = parseCsv(text);
            const header = rows[0];
            const col = (r, name) => r[header.indexOf(name)];
            const skipped = [...result.stderr.matchAll(/skipped (E_[A-Z_]+)/g)].map((m) => m[1]);
            for (const code of skipped) if (!ALL_CODES.includes(code) && code !== 'E_UNPAIRED_DOSE') failures.push(`skipped with ${code}`);
            for (const r of rows.slice(1)) {
              const err = col(r, 'error') ?? '';
              const code = /^(E_[A-Z_]+)/.exec(err)?.[1];
              if (code && !ALL_CODES.includes(code) && !(col(r, 'patientId') === 'P2' && code === 'E_UNPAIRED_DOSE')) failures.push(`row ${col(r, 'patientId')} ${col(r, 'name')}: ${code}`);
            }
            for (const patient of ['P1', 'P3']) {
              const mine = rows.slice(1).filter((r) => col(r, 'patientId') === patient);
              const dvhs = mine.map((r) => ({ name: col(r, 'name'), volumeCm3: Number(col(r, 'volumeCm3')), minGy: Number(col(r, 'minGy')), meanGy: Number(col(r, 'meanGy')), maxGy: Number(col(r, 'maxGy')), stats: Object.fromEntries(STATS.split(',').map((st) => [st, { value: Number(col(r, st)) }])) }));
              // The CSV keeps 6 decimals.
              failures.push(...compareDvhs({ dvhs }, truth, { tol: 2e-6 }).map((x) => `${patient}: ${x}`));
            }
            return failures;
          },
        };
      },
    });
  }
  for (let k = 0; k < count; k += 1) {
    const rng = caseRng(seed, FAMILY, k);
    const target = rng.bool(0.6) ? 'dose' : 'rtss';
    const command = rng.bool(0.5) ? 'info' : 'dvh';
    const syntax = rng.pick([EXPLICIT_LE, EXPLICIT_LE, IMPLICIT_LE, DEFLATED_EXPLICIT_LE]);
    let damage;
    if (syntax === DEFLATED_EXPLICIT_LE) {
      // The deflated stream itself damaged: bytes flipped or the file cut.
      const plain = target === 'dose' ? baseDose() : structBytes();
      const meta = encodePart10([], { syntax, sopClass: target === 'dose' ? RT_DOSE : RT_STRUCT, sopInstance: target === 'dose' ? RTDOSE_UID : RTSS_UID }).bytes;
      const body = deflateRawSync(datasetBytes(plain.bytes));
      const bytes = new Uint8Array(meta.length + body.length);
      bytes.set(meta);
      bytes.set(body, meta.length);
      if (rng.bool()) {
        const at = [];
        for (let n = rng.int(1, 6); n > 0; n -= 1) {
          const i = rng.int(meta.length, bytes.length - 1);
          bytes[i] ^= rng.int(1, 255);
          at.push(i - meta.length);
        }
        damage = { bytes, what: `deflated, compressed bytes ${at.join(',')} flipped` };
      } else {
        const cut = rng.int(meta.length, bytes.length - 1);
        damage = { bytes: bytes.slice(0, cut), what: `deflated, cut at byte ${cut} of ${bytes.length}` };
      }
    } else {
      const base = target === 'dose' ? baseDose({ syntax }) : structBytes(undefined, { syntax });
      damage = damageBytes(rng, base.bytes, base.layout);
      damage.what = `${syntax === IMPLICIT_LE ? 'implicit' : 'explicit'} VR, ${damage.what}`;
    }
    cases.push({
      id: `${FAMILY}/random-${k}`,
      family: FAMILY,
      seed,
      describe: `${target} ${damage.what}, ${command}`,
      setup: async (folders) => {
        const paths = writeBase(folders.input, target === 'dose' ? { dose: damage.bytes } : { rtss: damage.bytes });
        const args = command === 'info' ? ['info', target === 'dose' ? paths.dose : paths.rtss, '--json'] : dvhArgs(paths);
        // Pixel data cut short can only be malformed; anything else may read or fail with a DICOM code.
        if (damage.inPixels) return { args, expect: { codes: ['E_MALFORMED_DICOM'], exits: [1] }, note: damage.what };
        return { args, expect: { codes: ALL_CODES }, note: damage.what };
      },
    });
  }
  return cases;
}
