// SPDX-License-Identifier: BSD-3-Clause
// Family 2, mutated pixel data of the RT Dose: random bytes or values over a span (the truth,
// the maximum dose or E_IMPLAUSIBLE_DOSE past 100 000 Gy, is computed here), trailing zero padding
// (must still read, same statistics, a warning), payloads of the wrong length, a missing or
// undefined-length PixelData. Through `dosekit info --json` and `dosekit dvh`.
import { BASE_GRID, RT_DOSE, RTDOSE_UID, basePixelBytes, baseDoseElements, encodePart10, withElement } from './dicom.mjs';
import { STATS, baselineDvh, compareDvhs, dvhOutput, implausibleInfoExpectation, writeBase } from './common.mjs';
import { caseRng } from './prng.mjs';
import { hasWarning, stdoutJson } from './runner.mjs';

export const FAMILY = 'pixels';
const IMPLAUSIBLE_GY = 100_000;
const g = BASE_GRID;
const expectedBytes = g.rows * g.columns * g.frames * 4;

const doseWithPixels = (pixels, extra = {}) => encodePart10(withElement(baseDoseElements(), '7FE00010', 'OW', pixels, extra), { sopClass: RT_DOSE, sopInstance: RTDOSE_UID }).bytes;

function maxStored(pixels) {
  const view = new DataView(pixels.buffer, pixels.byteOffset, expectedBytes);
  let max = 0;
  for (let i = 0; i < expectedBytes; i += 4) max = Math.max(max, view.getUint32(i, true));
  return max;
}

const dvhArgs = (paths, format = 'csv') => ['dvh', '--rtss', paths.rtss, '--rtdose', paths.dose, '--format', format, '--stats', STATS];

/** A case whose dose must read with a known maximum (or be refused as implausible). */
function maxCase(seed, id, describe, pixels, command) {
  const maxGy = maxStored(pixels) * g.scaling;
  return {
    id,
    family: FAMILY,
    seed,
    describe: `${describe}; max ${maxGy} Gy`,
    setup: async (folders) => {
      const paths = writeBase(folders.input, { dose: doseWithPixels(pixels) });
      const args = command === 'info' ? ['info', paths.dose, '--json'] : dvhArgs(paths);
      if (maxGy > IMPLAUSIBLE_GY) return command === 'info' ? { args, ...implausibleInfoExpectation(maxGy) } : { args, expect: { codes: ['E_IMPLAUSIBLE_DOSE'], exits: [1] } };
      return {
        args,
        expect: { codes: [], exits: [0] },
        oracle: (result) => {
          if (command === 'info') {
            const got = stdoutJson(result)?.dose?.maxGy;
            return typeof got === 'number' && Math.abs(got - maxGy) <= 1e-9 * Math.max(1, maxGy) ? [] : [`info maxGy ${got}, expected ${maxGy}`];
          }
          const out = dvhOutput(result);
          if (!out) return ['stdout is not the CSV expected'];
          return out.dvhs.filter((d) => !(d.maxGy <= maxGy * (1 + 1e-9) && d.minGy >= 0)).map((d) => `ROI "${d.name}" min/max ${d.minGy}/${d.maxGy} outside [0, ${maxGy}] Gy`);
        },
      };
    },
  };
}

/** The fixed cases, then `count` random spans. */
export function pixelCases(seed, count) {
  const cases = [];
  const base = basePixelBytes();
  // Trailing zero padding: reads, the same statistics, and a warning.
  for (const pad of [2, 4, g.columns * 4, g.rows * g.columns * 4]) {
    for (const command of pad === 4 ? ['info', 'dvh'] : ['dvh']) {
      cases.push({
        id: `${FAMILY}/zero-padding-${pad}/${command}`,
        family: FAMILY,
        seed,
        setup: async (folders) => {
          const padded = new Uint8Array(expectedBytes + pad);
          padded.set(base);
          const paths = writeBase(folders.input, { dose: doseWithPixels(padded) });
          const truth = command === 'dvh' ? await baselineDvh() : undefined;
          return {
            args: command === 'info' ? ['info', paths.dose, '--json'] : dvhArgs(paths, 'json'),
            expect: { codes: [], exits: [0] },
            oracle: (result) => {
              const failures = [];
              if (!hasWarning(result)) failures.push(`no warning about the ${pad} bytes of zero padding after the pixel data`);
              if (command === 'info') {
                const got = stdoutJson(result)?.dose?.maxGy;
                if (got !== 7.915) failures.push(`info maxGy ${got}, expected 7.915`);
              } else {
                const out = dvhOutput(result);
                failures.push(...(out ? compareDvhs(out, truth) : ['stdout is not the JSON expected']));
              }
              return failures;
            },
          };
        },
      });
    }
  }
  // Payloads of the wrong length: E_MALFORMED_DICOM.
  const wrong = [
    ['short-2', base.slice(0, expectedBytes - 2)],
    ['short-one-frame', base.slice(0, expectedBytes - g.rows * g.columns * 4)],
    ['short-half', base.slice(0, expectedBytes / 2)],
    ['long-junk-4', Uint8Array.from([...base, 1, 2, 3, 4])],
    ['long-junk-frame', Uint8Array.from([...base, ...base.slice(0, g.rows * g.columns * 4)])],
    ['empty', new Uint8Array(0)],
  ];
  for (const [name, pixels] of wrong) {
    for (const command of name === 'short-2' ? ['info', 'dvh'] : ['dvh']) {
      cases.push({
        id: `${FAMILY}/wrong-length-${name}/${command}`,
        family: FAMILY,
        seed,
        setup: async (folders) => {
          const paths = writeBase(folders.input, { dose: doseWithPixels(pixels) });
          return { args: command === 'info' ? ['info', paths.dose, '--json'] : dvhArgs(paths), expect: { codes: ['E_MALFORMED_DICOM', ...(name === 'empty' ? ['E_MISSING_ATTRIBUTE'] : [])], exits: [1] } };
        },
      });
    }
  }
  cases.push({
    id: `${FAMILY}/missing/dvh`,
    family: FAMILY,
    seed,
    setup: async (folders) => {
      const paths = writeBase(folders.input, { dose: encodePart10(withElement(baseDoseElements(), '7FE00010', 'OW', undefined), { sopClass: RT_DOSE, sopInstance: RTDOSE_UID }).bytes });
      return { args: dvhArgs(paths), expect: { codes: ['E_MISSING_ATTRIBUTE'], exits: [1] } };
    },
  });
  cases.push({
    id: `${FAMILY}/declared-longer-than-file/dvh`,
    family: FAMILY,
    seed,
    setup: async (folders) => {
      const paths = writeBase(folders.input, { dose: doseWithPixels(base, { length: expectedBytes + 4096 }) });
      return { args: dvhArgs(paths), expect: { codes: ['E_MALFORMED_DICOM'], exits: [1] } };
    },
  });
  cases.push({
    id: `${FAMILY}/undefined-length/dvh`,
    family: FAMILY,
    seed,
    setup: async (folders) => {
      const paths = writeBase(folders.input, { dose: doseWithPixels(base, { length: 0xffffffff }) });
      return { args: dvhArgs(paths), expect: { codes: ['E_MALFORMED_DICOM'], exits: [1] } };
    },
  });
  // A valid 16-bit dose (stored values x 1e-3): read, with the 32-bit base's statistics to within the coarser step.
  cases.push({
    id: `${FAMILY}/uint16-payload/dvh`,
    family: FAMILY,
    seed,
    setup: async (folders) => {
      const grid16 = { ...g, scaling: 1e-3 };
      let els = baseDoseElements(grid16, basePixelBytes(grid16, 16));
      els = withElement(els, '00280100', 'US', [16]);
      els = withElement(els, '00280101', 'US', [16]);
      els = withElement(els, '00280102', 'US', [15]);
      const paths = writeBase(folders.input, { dose: encodePart10(els, { sopClass: RT_DOSE, sopInstance: RTDOSE_UID }).bytes });
      const truth = await baselineDvh();
      return {
        args: dvhArgs(paths),
        expect: { codes: [], exits: [0] },
        oracle: (result) => {
          const out = dvhOutput(result);
          return out ? compareDvhs(out, truth, { tol: 2e-3 }) : ['stdout is not the CSV expected'];
        },
      };
    },
  });
  cases.push(maxCase(seed, `${FAMILY}/all-ones/dvh`, 'every byte 0xFF', new Uint8Array(expectedBytes).fill(0xff), 'dvh'));
  cases.push(maxCase(seed, `${FAMILY}/all-zero/dvh`, 'every byte 0', new Uint8Array(expectedBytes), 'dvh'));
  // Random spans: random bytes (mostly implausible), or random values below a random ceiling.
  for (let k = 0; k < count; k += 1) {
    const rng = caseRng(seed, FAMILY, k);
    const pixels = base.slice();
    const view = new DataView(pixels.buffer);
    const start = rng.int(0, expectedBytes - 1);
    const end = Math.min(expectedBytes, start + rng.int(1, rng.bool() ? 64 : expectedBytes));
    let describe;
    if (rng.bool(0.4)) {
      for (let i = start; i < end; i += 1) pixels[i] = rng.int(0, 255);
      describe = `random bytes ${start}..${end}`;
    } else {
      const ceiling = rng.pick([100, 1e4, 1e6, 1e8, 1e9, 1e9 + 1e3, 0xffffffff]);
      const first = Math.floor(start / 4);
      const last = Math.ceil(end / 4);
      for (let i = first; i < last; i += 1) view.setUint32(i * 4, rng.int(0, ceiling), true);
      describe = `random values up to ${ceiling} in voxels ${first}..${last}`;
    }
    cases.push(maxCase(seed, `${FAMILY}/random-${k}`, describe, pixels, rng.bool(0.5) ? 'info' : 'dvh'));
  }
  return cases;
}
