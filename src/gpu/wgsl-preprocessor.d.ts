// SPDX-License-Identifier: BSD-3-Clause
// wgsl-preprocessor ships no type declarations, and no entry point: its one file is imported by path.
declare module 'wgsl-preprocessor/wgsl-preprocessor.js' {
  export function wgsl(strings: TemplateStringsArray, ...values: unknown[]): string;
}
