// SPDX-License-Identifier: BSD-3-Clause
// pairCohort: each RT Dose of a cohort with the RT Structure Set its DVHs are calculated on.
import type { CohortIndex, CohortObject } from './index-cohort.js';
import { requireArrayOf, requireObject, requireString } from '../validate.js';

/** The fields of a cohort object pairing reads, each a string (the references may be absent). */
function requireCohortObject(value: unknown, name: string): CohortObject {
  const o = requireObject(value, name);
  for (const key of ['path', 'kind', 'sopInstanceUid', 'patientId', 'studyInstanceUid', 'frameOfReferenceUid']) requireString(o[key], `${name}.${key}`);
  for (const key of ['referencedRtPlanUid', 'referencedStructureSetUid']) if (o[key] !== undefined) requireString(o[key], `${name}.${key}`);
  return value as CohortObject;
}

/** How an RT Dose's structure set was found. */
export type CohortPairing = 'plan' | 'dose-reference' | 'frame-of-reference';

/** One RT Dose of a cohort and, when found, its RT Structure Set. */
export interface CohortEntry {
  /** The dose's PatientID. */
  readonly patientId: string;
  /** The dose's StudyInstanceUID. */
  readonly studyInstanceUid: string;
  readonly rtdose: CohortObject;
  /** The structure set; absent exactly when `unpairedReason` is set. */
  readonly rtss?: CohortObject;
  /** The RT Plan the dose references, when it is in the cohort. */
  readonly rtplan?: CohortObject;
  /** How `rtss` was found: through the plan, the dose's own reference, or the shared frame of reference. */
  readonly pairing?: CohortPairing;
  /** Why no structure set could be chosen (none, or several, match). */
  readonly unpairedReason?: string;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function groupBy(objects: readonly CohortObject[], key: (o: CohortObject) => string): Map<string, CohortObject[]> {
  const map = new Map<string, CohortObject[]>();
  for (const object of objects) {
    const k = key(object);
    if (!k) continue;
    const list = map.get(k);
    if (list) list.push(object);
    else map.set(k, [object]);
  }
  return map;
}

function paths(objects: readonly CohortObject[]): string {
  return objects.map((o) => o.path).join(', ');
}

/**
 * Pairs every RT Dose of an index with its RT Structure Set, trying in turn:
 * 1. 'plan': the RT Plan the dose references (ReferencedRTPlanSequence), then the structure set
 *    that plan references (ReferencedStructureSetSequence);
 * 2. 'dose-reference': the structure set the dose itself references;
 * 3. 'frame-of-reference': the one structure set of the same patient in the dose's frame of
 *    reference.
 * References are matched by SOPInstanceUID; a UID held by several files is ambiguous and not
 * used. A dose for which none of the three gives exactly one structure set is unpaired, with the
 * reasons. Entries are sorted by (patientId, studyInstanceUid, rtdose path), in code-unit order:
 * that order is the order of `dosekit batch` output and of its shards.
 */
export function pairCohort(index: Pick<CohortIndex, 'objects'>): readonly CohortEntry[] {
  requireArrayOf(requireObject(index, 'index').objects, 'index.objects', requireCohortObject);
  const structureSets = index.objects.filter((o) => o.kind === 'rtss');
  const plans = groupBy(
    index.objects.filter((o) => o.kind === 'rtplan'),
    (o) => o.sopInstanceUid,
  );
  const byUid = groupBy(structureSets, (o) => o.sopInstanceUid);
  const byFrame = groupBy(structureSets, (o) => (o.frameOfReferenceUid ? `${o.patientId}\u0000${o.frameOfReferenceUid}` : ''));

  const entries = index.objects
    .filter((o) => o.kind === 'rtdose')
    .map((dose): CohortEntry => {
      const base = { patientId: dose.patientId, studyInstanceUid: dose.studyInstanceUid, rtdose: dose };
      const reasons: string[] = [];
      const referenced = (uid: string, by: string): CohortObject | undefined => {
        const found = byUid.get(uid) ?? [];
        if (found.length === 1) return found[0];
        reasons.push(found.length === 0 ? `the RT Structure Set ${uid} that ${by} references is not in the cohort` : `${found.length} files have the SOPInstanceUID ${uid} of the RT Structure Set ${by} references (${paths(found)})`);
        return undefined;
      };

      let rtplan: CohortObject | undefined;
      if (dose.referencedRtPlanUid) {
        const found = plans.get(dose.referencedRtPlanUid) ?? [];
        if (found.length === 1) {
          rtplan = found[0];
          if (rtplan.referencedStructureSetUid) {
            const rtss = referenced(rtplan.referencedStructureSetUid, `its RT Plan ${rtplan.path}`);
            if (rtss) return Object.freeze({ ...base, rtss, rtplan, pairing: 'plan' });
          } else reasons.push(`its RT Plan ${rtplan.path} references no RT Structure Set`);
        } else {
          reasons.push(found.length === 0 ? `its RT Plan ${dose.referencedRtPlanUid} is not in the cohort` : `${found.length} files have the SOPInstanceUID ${dose.referencedRtPlanUid} of its RT Plan (${paths(found)})`);
        }
      } else reasons.push('it references no RT Plan');
      const withPlan = rtplan ? { rtplan } : {};

      if (dose.referencedStructureSetUid) {
        const rtss = referenced(dose.referencedStructureSetUid, 'the dose');
        if (rtss) return Object.freeze({ ...base, ...withPlan, rtss, pairing: 'dose-reference' });
      } else reasons.push('it references no RT Structure Set itself');

      if (dose.frameOfReferenceUid) {
        const found = byFrame.get(`${dose.patientId}\u0000${dose.frameOfReferenceUid}`) ?? [];
        if (found.length === 1) return Object.freeze({ ...base, ...withPlan, rtss: found[0], pairing: 'frame-of-reference' });
        reasons.push(
          found.length === 0
            ? `no RT Structure Set of patient "${dose.patientId}" is in its frame of reference ${dose.frameOfReferenceUid}`
            : `${found.length} RT Structure Sets of patient "${dose.patientId}" are in its frame of reference (${paths(found)})`,
        );
      } else reasons.push('it has no FrameOfReferenceUID');
      return Object.freeze({ ...base, ...withPlan, unpairedReason: `${reasons.join('; ')}.` });
    });

  entries.sort((a, b) => byCodeUnits(a.patientId, b.patientId) || byCodeUnits(a.studyInstanceUid, b.studyInstanceUid) || byCodeUnits(a.rtdose.path, b.rtdose.path));
  return Object.freeze(entries);
}
