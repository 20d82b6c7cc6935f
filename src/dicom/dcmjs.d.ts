// SPDX-License-Identifier: BSD-3-Clause
// dcmjs ships no type declarations; dosekit touches it only inside src/dicom.
declare module 'dcmjs' {
  const dcmjs: {
    data: {
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): unknown;
      };
      DicomMetaDictionary: {
        naturalizeDataset(dict: unknown): Record<string, unknown>;
        denaturalizeDataset(dataset: unknown): Record<string, unknown>;
        uid(): string;
        date(): string;
        time(): string;
      };
      DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(options?: Record<string, unknown>): ArrayBuffer };
    };
    log: unknown;
  };
  export default dcmjs;
}

