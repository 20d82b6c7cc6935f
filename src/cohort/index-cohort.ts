// SPDX-License-Identifier: BSD-3-Clause
// indexCohort: what each DICOM file under some folders is, read from its header only.
import { throwIfAborted } from '../backend/abort.js';
import { DEFAULT_HEADER_PREFIX_BYTES, readDicomHeaderFile } from '../dicom/header-file.js';
import type { DicomHeader } from '../dicom/header.js';
import type { SopClassName } from '../dicom/sop-class.js';
import { type DosekitErrorCode, isDosekitError } from '../errors.js';
import { walkFiles } from './walk.js';
import { checkComputeOptions } from '../backend/backend-arguments.js';
import { optional, requireArrayOf, requireInteger, requireOptions, requireString } from '../validate.js';

/** The largest `prefixBytes` (bytes read from the start of each file): 256 MiB. */
export const MAX_PREFIX_BYTES = 2 ** 28;
/** The most files read at once (`concurrency`). */
export const MAX_INDEX_CONCURRENCY = 256;

/** The kinds of DICOM object a cohort index tells apart. */
export type CohortObjectKind = 'rtdose' | 'rtss' | 'rtplan' | 'image' | 'other';

/** One DICOM object of a cohort: where it is, who it belongs to and what it references. */
export interface CohortObject {
  /** The path as found: the root as given joined with the path below it. */
  readonly path: string;
  /** The root (as given to indexCohort) the file was found under. */
  readonly root: string;
  readonly kind: CohortObjectKind;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** PatientID ('' when absent). */
  readonly patientId: string;
  readonly studyInstanceUid: string;
  /** FrameOfReferenceUID (an RT Structure Set's referenced one when it has none); '' when absent. */
  readonly frameOfReferenceUid: string;
  /** The RT Plan an RT Dose references (ReferencedRTPlanSequence); absent when none. */
  readonly referencedRtPlanUid?: string;
  /** The RT Structure Set an RT Plan (or RT Dose) references (ReferencedStructureSetSequence); absent when none. */
  readonly referencedStructureSetUid?: string;
}

/** A file that looked like DICOM (or could not be looked at) but could not be read. */
export interface CohortProblem {
  readonly path: string;
  readonly code: DosekitErrorCode;
  /** The reason, naming the file. */
  readonly message: string;
}

/** The outcome of {@link indexCohort}. */
export interface CohortIndex {
  /** The roots, as given. */
  readonly roots: readonly string[];
  /** Every readable DICOM object, in walk order (roots as given, then names in code-unit order). */
  readonly objects: readonly CohortObject[];
  /** Folders or links that could not be looked at, then unreadable DICOM files, each in walk order. */
  readonly problems: readonly CohortProblem[];
  /** Files looked at (DICOM or not; hidden ones are not looked at). */
  readonly filesRead: number;
  /** Files skipped because they are not DICOM (counted, not reported as problems). */
  readonly nonDicomSkipped: number;
}

/** Options of {@link indexCohort}. */
export interface IndexCohortOptions {
  /** Bytes read first from each file (default 65536); more only when its header is longer. */
  readonly prefixBytes?: number;
  /** Files read at the same time (default 8). */
  readonly concurrency?: number;
  /** Called after each file with the number of files read so far and the total. */
  readonly onProgress?: (filesDone: number, filesTotal: number) => void;
  readonly signal?: AbortSignal;
}

const KINDS: Partial<Record<SopClassName, CohortObjectKind>> = { rtdose: 'rtdose', rtss: 'rtss', rtplan: 'rtplan', ct: 'image', mr: 'image', pt: 'image', rtimage: 'image' };

function toObject(header: DicomHeader, path: string, root: string): CohortObject {
  return Object.freeze({
    path,
    root,
    kind: KINDS[header.sopClass] ?? 'other',
    sopClassUid: header.sopClassUid,
    sopInstanceUid: header.sopInstanceUid,
    patientId: header.patientId,
    studyInstanceUid: header.studyInstanceUid,
    frameOfReferenceUid: header.frameOfReferenceUid,
    ...(header.referencedRtPlanUid ? { referencedRtPlanUid: header.referencedRtPlanUid } : {}),
    ...(header.referencedStructureSetUid ? { referencedStructureSetUid: header.referencedStructureSetUid } : {}),
  });
}

/**
 * Walks `paths` (folders or files; sorted traversal, hidden entries skipped, symbolic links
 * followed without loops) and reads the header of every file: the first 64 KiB, up to
 * PixelData (or an RT Structure Set's ROIContourSequence), more only when the header is longer.
 * Files that are not DICOM are counted and skipped; DICOM files that cannot be read are listed
 * in `problems` with their error code. The result does not depend on the order files are read
 * in. Node and Deno (`node:fs` is imported lazily).
 * @throws DosekitError E_FILE_NOT_FOUND when one of `paths` does not exist; an AbortError when
 *   `signal` aborts.
 */
export async function indexCohort(paths: readonly string[], options: IndexCohortOptions = {}): Promise<CohortIndex> {
  requireArrayOf(paths, 'paths', (p, n) => requireString(p, n, true));
  const checked = requireOptions(options, 'options', ['prefixBytes', 'concurrency', 'onProgress', 'signal']);
  checkComputeOptions(checked);
  optional(checked.prefixBytes, 'options.prefixBytes', (v, n) => requireInteger(v, n, { min: 1, max: MAX_PREFIX_BYTES }));
  optional(checked.concurrency, 'options.concurrency', (v, n) => requireInteger(v, n, { min: 1, max: MAX_INDEX_CONCURRENCY }));
  throwIfAborted(options.signal);
  const walked = await walkFiles(paths);
  const files = walked.files;
  const outcomes: (CohortObject | CohortProblem | 'not-dicom')[] = new Array(files.length);
  const prefixBytes = options.prefixBytes ?? DEFAULT_HEADER_PREFIX_BYTES;
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      throwIfAborted(options.signal);
      const k = next;
      next += 1;
      const { path, root } = files[k];
      try {
        outcomes[k] = toObject(await readDicomHeaderFile(path, { prefixBytes }), path, root);
      } catch (error) {
        if (!isDosekitError(error)) throw error;
        outcomes[k] = error.code === 'E_NOT_DICOM' ? 'not-dicom' : Object.freeze({ path, code: error.code, message: error.withFile(path).message });
      }
      done += 1;
      options.onProgress?.(done, files.length);
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 8, files.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  const objects: CohortObject[] = [];
  const problems: CohortProblem[] = [...walked.problems];
  let nonDicomSkipped = 0;
  for (const outcome of outcomes) {
    if (outcome === 'not-dicom') nonDicomSkipped += 1;
    else if ('kind' in outcome) objects.push(outcome);
    else problems.push(outcome);
  }
  return Object.freeze({
    roots: Object.freeze([...paths]),
    objects: Object.freeze(objects),
    problems: Object.freeze(problems),
    filesRead: files.length,
    nonDicomSkipped,
  });
}
