// SPDX-License-Identifier: BSD-3-Clause
// pako ships no type declarations; dosekit uses only its streaming inflater, inside src/dicom.
declare module 'pako' {
  export class Inflate {
    constructor(options?: { raw?: boolean; chunkSize?: number });
    /** Non-zero after a fault in the stream. */
    readonly err: number;
    /** True once the end of the stream was read. */
    readonly ended: boolean;
    onData: (chunk: Uint8Array) => void;
    onEnd: (status: number) => void;
    push(data: Uint8Array, flushOrFinal?: boolean | number): boolean;
  }
}
