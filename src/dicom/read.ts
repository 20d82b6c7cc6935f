// SPDX-License-Identifier: BSD-3-Clause
import dcmjs from 'dcmjs';
import { DosekitError, isDosekitError } from '../errors.js';
import type { DosekitWarning } from '../warnings.js';
import { withDcmjsWarnings } from './dcmjs-log.js';
import type { NaturalDataset } from './naturalized.js';
import {
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  assertSupportedTransferSyntax,
} from './transfer-syntax.js';

/** A DICOM file decoded into a naturalized dataset. Internal to src/dicom. */
export interface DicomRead {
  readonly dataset: NaturalDataset;
  readonly transferSyntaxUid: string;
  /** The label used in messages: a path, or `<bytes>` when read from memory. */
  readonly file: string;
  readonly warnings: DosekitWarning[];
  readonly byteLength: number;
}

interface DcmjsDicomDict {
  meta: Record<string, { Value?: unknown[] }>;
  dict: Record<string, unknown>;
}

const PREAMBLE_LENGTH = 128;

function toArrayBuffer(bytes: ArrayBuffer | Uint8Array): ArrayBuffer {
  if (bytes instanceof ArrayBuffer) return bytes;
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}

function hasDicmMagic(view: Uint8Array): boolean {
  return view.length >= PREAMBLE_LENGTH + 4 && view[128] === 0x44 && view[129] === 0x49 && view[130] === 0x43 && view[131] === 0x4d;
}

/**
 * Some systems write a bare dataset (no preamble, no file meta). Such a file starts with a
 * group 0008 element; give it a minimal file meta so the normal reader can take it.
 */
function wrapBareDataset(view: Uint8Array): ArrayBuffer | null {
  if (view.length < 8 || view[0] !== 0x08 || view[1] !== 0x00) return null;
  const vr = String.fromCharCode(view[4], view[5]);
  const explicit = /^[A-Z]{2}$/.test(vr);
  const syntax = explicit ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN;
  const uid = syntax.length % 2 === 0 ? syntax : `${syntax}\0`;
  // (0002,0010) UI, explicit VR little endian, as every file meta is.
  const element = new Uint8Array(8 + uid.length);
  element.set([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, uid.length & 0xff, uid.length >> 8]);
  for (let i = 0; i < uid.length; i += 1) element[8 + i] = uid.charCodeAt(i);
  const groupLength = new Uint8Array(12);
  groupLength.set([0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 4, 0]);
  new DataView(groupLength.buffer).setUint32(8, element.length, true);
  const out = new Uint8Array(PREAMBLE_LENGTH + 4 + groupLength.length + element.length + view.length);
  out.set([0x44, 0x49, 0x43, 0x4d], PREAMBLE_LENGTH);
  out.set(groupLength, PREAMBLE_LENGTH + 4);
  out.set(element, PREAMBLE_LENGTH + 4 + groupLength.length);
  out.set(view, PREAMBLE_LENGTH + 4 + groupLength.length + element.length);
  return out.buffer;
}

function describeFailure(error: unknown): string {
  if (error instanceof RangeError) return 'the data ends before an element it announces (truncated or damaged file)';
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/**
 * Decodes DICOM Part 10 bytes into a naturalized dataset. Pixel data stays a view of `bytes`
 * (no copy). Any failure is a DosekitError naming `file`.
 */
export function readDicom(bytes: ArrayBuffer | Uint8Array, file = '<bytes>'): DicomRead {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (view.length === 0) {
    throw new DosekitError('E_NOT_DICOM', `${file}: the file is empty; expected a DICOM Part 10 file.`, { file });
  }
  let buffer: ArrayBuffer;
  if (hasDicmMagic(view)) {
    buffer = toArrayBuffer(bytes);
  } else {
    const wrapped = wrapBareDataset(view);
    if (!wrapped) {
      throw new DosekitError(
        'E_NOT_DICOM',
        `${file}: not a DICOM file (no "DICM" marker after the 128-byte preamble, and it does not start like a bare dataset). Check that the path points at a .dcm file.`,
        { file },
      );
    }
    buffer = wrapped;
  }

  const warnings: DosekitWarning[] = [];
  let dicomDict: DcmjsDicomDict;
  try {
    dicomDict = withDcmjsWarnings(file, warnings, () => dcmjs.data.DicomMessage.readFile(buffer, { noCopy: true }) as DcmjsDicomDict);
  } catch (error) {
    if (isDosekitError(error)) throw error;
    throw new DosekitError('E_MALFORMED_DICOM', `${file}: cannot decode the DICOM data: ${describeFailure(error)}.`, { file }, { cause: error });
  }
  const syntaxValue = dicomDict.meta?.['00020010']?.Value?.[0];
  const transferSyntaxUid = typeof syntaxValue === 'string' ? syntaxValue.replace(/\0+$/, '').trim() : '';
  if (!transferSyntaxUid) {
    throw new DosekitError('E_MISSING_ATTRIBUTE', `${file}: the file meta has no TransferSyntaxUID (0002,0010); the file is damaged.`, {
      file,
      attribute: 'TransferSyntaxUID',
    });
  }
  assertSupportedTransferSyntax(transferSyntaxUid, file);

  let dataset: NaturalDataset;
  try {
    dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dicomDict.dict) as NaturalDataset;
  } catch (error) {
    throw new DosekitError('E_MALFORMED_DICOM', `${file}: cannot interpret the DICOM elements: ${describeFailure(error)}.`, { file }, { cause: error });
  }
  return { dataset, transferSyntaxUid, file, warnings, byteLength: view.length };
}
