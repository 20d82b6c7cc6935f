// SPDX-License-Identifier: BSD-3-Clause
/**
 * A small test cohort in a temporary folder, built from the example files: five patients
 * (P001..P005), each a consistent copy of examples/ (RT Structure Set, RT Plan, RT Dose, one CT
 * slice) with its own PatientID and UIDs, in nested folders, plus the awkward cases:
 *
 * - site-b/P003/extra/rtdose_boost.dcm: its RT Plan is missing and it references no structure
 *   set, but shares P003's frame of reference -> pairing 'frame-of-reference';
 * - site-b/P004/rtdose_own_reference.dcm: its RT Plan is missing, it references P004's
 *   structure set itself -> pairing 'dose-reference';
 * - orphans/P006/rtdose.dcm: no plan, no structure set, a frame of reference of its own -> unpaired;
 * - broken/rtdose_truncated.dcm: an RT Dose cut within its PixelData -> E_MALFORMED_DICOM;
 * - notes.txt: not DICOM (skipped); .hidden/: a hidden folder with an RT Dose (never read);
 * - site-a/P002/loop: a symbolic link to its own parent folder (a loop the walk must survive).
 *
 * Test helper only.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { rewriteDicom, setElement, setReference } from './dicom-rewrite.js';
import type { DcmjsDataset } from './dicom-writer.js';
import { exampleBytes } from './examples.js';

/** Where a test cohort is and what it holds. */
export interface TestCohort {
  /** The cohort folder (absolute). */
  readonly root: string;
  /** Patient IDs of the five regular patients. */
  readonly patients: readonly string[];
  /** Paths (absolute) of the files of interest. */
  readonly files: {
    readonly rtdose: (patient: string) => string;
    readonly rtss: (patient: string) => string;
    readonly rtplan: (patient: string) => string;
    readonly boost: string;
    readonly ownReference: string;
    readonly orphan: string;
    readonly truncated: string;
    readonly notes: string;
    readonly hidden: string;
  };
}

const PATIENTS = ['P001', 'P002', 'P003', 'P004', 'P005'];
const SITE: Record<string, string> = { P001: 'site-a', P002: 'site-a', P003: 'site-b', P004: 'site-b', P005: 'site-b' };

/** A deterministic UID mapping per patient: the same source UID always gets the same new UID. */
function uidMapper(patientNumber: number): { map: (uid: string) => string; fresh: () => string } {
  const mapped = new Map<string, string>();
  let counter = 0;
  const fresh = () => {
    counter += 1;
    return `2.25.77${String(patientNumber).padStart(3, '0')}${String(counter).padStart(5, '0')}`;
  };
  return {
    map: (uid) => {
      let out = mapped.get(uid);
      if (!out) {
        out = fresh();
        mapped.set(uid, out);
      }
      return out;
    },
    fresh,
  };
}

function write(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/** Builds the cohort described in this file's comment in a new temporary folder. */
export function buildTestCohort(): TestCohort {
  const root = join(mkdtempSync(join(tmpdir(), 'dosekit-cohort-')), 'cohort');
  const source = {
    rtss: exampleBytes('rtss.dcm'),
    rtplan: exampleBytes('rtplan.dcm'),
    rtdose: exampleBytes('rtdose_substitute.dcm'),
    ct: exampleBytes('ct.0.dcm'),
  };
  const patientDir = (patient: string) => join(root, SITE[patient] ?? 'orphans', patient);
  const asPatient = (patient: string) => (dict: DcmjsDataset) => {
    setElement(dict, '00100020', 'LO', patient);
    setElement(dict, '00100010', 'PN', `Cohort^${patient}`);
  };

  PATIENTS.forEach((patient, k) => {
    const uids = uidMapper(k + 1);
    const dir = patientDir(patient);
    const own = asPatient(patient);
    write(join(dir, 'rtss.dcm'), rewriteDicom(source.rtss, uids.map, own));
    write(join(dir, 'rtplan.dcm'), rewriteDicom(source.rtplan, uids.map, own));
    write(join(dir, 'rtdose.dcm'), rewriteDicom(source.rtdose, uids.map, own));
    write(join(dir, 'ct.0.dcm'), rewriteDicom(source.ct, uids.map, own));
    if (patient === 'P003') {
      write(
        join(dir, 'extra', 'rtdose_boost.dcm'),
        rewriteDicom(source.rtdose, uids.map, (dict) => {
          own(dict);
          setElement(dict, '00080018', 'UI', uids.fresh());
          setReference(dict, '300C0002', uids.fresh());
          delete dict['300C0060'];
        }),
      );
    }
    if (patient === 'P004') {
      write(
        join(dir, 'rtdose_own_reference.dcm'),
        rewriteDicom(source.rtdose, uids.map, (dict) => {
          own(dict);
          setElement(dict, '00080018', 'UI', uids.fresh());
          setReference(dict, '300C0002', uids.fresh());
        }),
      );
    }
  });

  const orphan = join(patientDir('P006'), 'rtdose.dcm');
  write(orphan, rewriteDicom(source.rtdose, uidMapper(6).map, asPatient('P006')));
  const truncated = join(root, 'broken', 'rtdose_truncated.dcm');
  write(truncated, rewriteDicom(source.rtdose, uidMapper(7).map, asPatient('P007')).subarray(0, 300_000));
  const notes = join(root, 'notes.txt');
  write(notes, 'Cohort notes: five patients, one orphan dose, one truncated file.\n');
  const hidden = join(root, '.hidden', 'rtdose.dcm');
  write(hidden, rewriteDicom(source.rtdose, uidMapper(8).map, asPatient('P008')));
  symlinkSync('..', join(patientDir('P002'), 'loop'));

  return {
    root,
    patients: PATIENTS,
    files: {
      rtdose: (patient) => join(patientDir(patient), 'rtdose.dcm'),
      rtss: (patient) => join(patientDir(patient), 'rtss.dcm'),
      rtplan: (patient) => join(patientDir(patient), 'rtplan.dcm'),
      boost: join(patientDir('P003'), 'extra', 'rtdose_boost.dcm'),
      ownReference: join(patientDir('P004'), 'rtdose_own_reference.dcm'),
      orphan,
      truncated,
      notes,
      hidden,
    },
  };
}
