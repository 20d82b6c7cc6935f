// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';

/** Transfer syntaxes dosekit reads, with how their pixel data must be handled. */
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';
export const RLE_LOSSLESS = '1.2.840.10008.1.2.5';

const SUPPORTED = new Set([
  IMPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  RLE_LOSSLESS,
]);

const KNOWN_UNSUPPORTED: Record<string, string> = {
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless, Non-Hierarchical (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, First-Order Prediction (Process 14, SV1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264',
};

/** A readable name for a transfer syntax UID (the UID itself when unknown). */
export function transferSyntaxName(uid: string): string {
  switch (uid) {
    case IMPLICIT_VR_LITTLE_ENDIAN: return 'Implicit VR Little Endian';
    case EXPLICIT_VR_LITTLE_ENDIAN: return 'Explicit VR Little Endian';
    case DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN: return 'Deflated Explicit VR Little Endian';
    case EXPLICIT_VR_BIG_ENDIAN: return 'Explicit VR Big Endian';
    case RLE_LOSSLESS: return 'RLE Lossless';
    default: return KNOWN_UNSUPPORTED[uid] ?? uid;
  }
}

/** Throws E_UNSUPPORTED_TRANSFER_SYNTAX for anything dosekit cannot decode. */
export function assertSupportedTransferSyntax(uid: string, file: string | undefined): void {
  if (SUPPORTED.has(uid)) return;
  const name = transferSyntaxName(uid);
  throw new DosekitError(
    'E_UNSUPPORTED_TRANSFER_SYNTAX',
    `${file ? `${file}: ` : ''}transfer syntax ${name === uid ? uid : `${name} (${uid})`} is not supported; ` +
      'dosekit reads Implicit/Explicit VR Little Endian, Explicit VR Big Endian, Deflated and RLE Lossless. ' +
      'Convert the file first (e.g. `dcmconv +te` from DCMTK or `gdcmconv --raw`).',
    { file, attribute: 'TransferSyntaxUID', transferSyntaxUid: uid },
  );
}
