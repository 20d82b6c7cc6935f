// SPDX-License-Identifier: BSD-3-Clause
/**
 * Rewrites DICOM files for tests with dcmjs: every instance UID mapped consistently (so that a
 * set of files keeps referencing each other), plus element edits. Elements not edited keep
 * their stored bytes (dcmjs writes their raw values back), so contours and doses are unchanged.
 *
 * Test helper only: nothing in src/ imports it.
 */
import { type DcmjsDataset, type DcmjsElement, TransferSyntax, encodeDataset, findBytes, readDicomDict, tagBytesLE } from './dicom-writer.js';

/** UIDs under this root are DICOM-defined (SOP classes, transfer syntaxes) and never mapped. */
const DICOM_DEFINED_ROOT = '1.2.840.10008.';

function mapUids(dataset: DcmjsDataset, mapUid: (uid: string) => string): void {
  for (const element of Object.values(dataset)) {
    if (element.vr === 'UI' && Array.isArray(element.Value)) {
      const before = element.Value.map((v) => String(v).replace(/\0+$/, ''));
      const after = before.map((uid) => (uid === '' || uid.startsWith(DICOM_DEFINED_ROOT) ? uid : mapUid(uid)));
      if (after.some((uid, k) => uid !== before[k])) {
        element.Value = after;
        delete element._rawValue;
      }
    } else if (element.vr === 'SQ' && Array.isArray(element.Value)) {
      for (const item of element.Value) mapUids(item as DcmjsDataset, mapUid);
    }
  }
}

/**
 * In implicit VR files no VR is written, so an unchanged decimal or integer string (DS, IS)
 * can be handed to dcmjs as opaque bytes (its stored text): the file is byte-identical and
 * dcmjs skips re-formatting every number (ten times faster for a structure set's contours).
 */
/** True when a number string's values are still those of its stored text (no edit since reading). */
function unchanged(element: DcmjsElement): boolean {
  const raw = element._rawValue as unknown[];
  const values = Array.isArray(element.Value) ? element.Value : [];
  return values.length === raw.length && values.every((v, k) => (v === null || v === undefined ? String(raw[k] ?? '').trim() === '' : Number(v) === Number(raw[k])));
}

function numberStringsAsBytes(dataset: DcmjsDataset): void {
  for (const element of Object.values(dataset)) {
    if (element.vr === 'SQ' && Array.isArray(element.Value)) {
      for (const item of element.Value) numberStringsAsBytes(item as DcmjsDataset);
    } else if ((element.vr === 'DS' || element.vr === 'IS') && Array.isArray(element._rawValue) && unchanged(element)) {
      let text = (element._rawValue as unknown[]).map((v) => (v === null || v === undefined ? '' : String(v))).join('\\');
      if (text.length % 2 === 1) text += ' ';
      element.vr = 'OB';
      element.Value = [new TextEncoder().encode(text).buffer];
      delete element._rawValue;
    }
  }
}

/** Sets a top-level string element (tag like '00100020') to `value`, with its VR. */
export function setElement(dict: DcmjsDataset, tag: string, vr: string, value: string): void {
  dict[tag] = { vr, Value: [value] } satisfies DcmjsElement;
}

/** Sets the ReferencedSOPInstanceUID (0008,1155) of the first item of a reference sequence. */
export function setReference(dict: DcmjsDataset, sequenceTag: string, uid: string): void {
  const item = dict[sequenceTag]?.Value?.[0] as DcmjsDataset | undefined;
  if (!item) throw new Error(`setReference: no ${sequenceTag} item`);
  item['00081155'] = { vr: 'UI', Value: [uid] };
}

/**
 * Where the PixelData element starts when it is the last element of a little-endian file with a
 * defined length (as in the examples); undefined otherwise.
 */
function trailingPixelData(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const at of findBytes(bytes, tagBytesLE(0x7fe0, 0x0010))) {
    // Implicit VR: tag, 4-byte length. Explicit VR (OB/OW): tag, VR, 2 reserved, 4-byte length.
    if (at + 8 <= bytes.length && view.getUint32(at + 4, true) === bytes.length - at - 8) return at;
    if (at + 12 <= bytes.length && view.getUint32(at + 8, true) === bytes.length - at - 12) return at;
  }
  return undefined;
}

/**
 * A copy of Part 10 `bytes` (in the same transfer syntax) with every UI value that is not
 * DICOM-defined replaced by `mapUid(uid)` (file meta included), then `edit` applied to the
 * dataset (tag -> element, dcmjs's form). A trailing PixelData element is copied byte for byte
 * after the rewritten header (fast for large doses; `edit` never sees it).
 */
export function rewriteDicom(bytes: Uint8Array, mapUid: (uid: string) => string, edit: (dict: DcmjsDataset) => void = () => {}): Uint8Array {
  const pixels = trailingPixelData(bytes);
  if (pixels !== undefined) {
    const header = rewriteDicom(bytes.subarray(0, pixels), mapUid, edit);
    const out = new Uint8Array(header.length + bytes.length - pixels);
    out.set(header);
    out.set(bytes.subarray(pixels), header.length);
    return out;
  }
  const { meta, dict } = readDicomDict(bytes);
  mapUids(meta, mapUid);
  mapUids(dict, mapUid);
  edit(dict);
  const syntax = String(meta['00020010']?.Value?.[0] ?? '').replace(/\0+$/, '');
  if (syntax === TransferSyntax.ImplicitVRLittleEndian) numberStringsAsBytes(dict);
  const instance = dict['00080018']?.Value?.[0];
  if (instance !== undefined) meta['00020003'] = { vr: 'UI', Value: [String(instance)] };
  return encodeDataset(meta, dict, syntax);
}
