// SPDX-License-Identifier: BSD-3-Clause
// Types of scripts/serve-demo.mjs, for the TypeScript that imports it (test/helpers/static-server.ts).

/** The repository root. */
export declare const REPOSITORY_ROOT: string;
/** The URL prefixes the demo needs: /demo/, /dist/, the dcmjs and wgsl-preprocessor browser builds, /examples/. */
export declare const DEMO_PREFIXES: readonly string[];
/** The Content-Type of a file name (application/octet-stream when unknown). */
export declare function mimeType(path: string): string;
/** The file a decoded URL path names, or null when it is outside `prefixes` (or otherwise refused). */
export declare function resolveServedPath(root: string, prefixes: readonly string[], pathname: string): string | null;

/** How many failed requests a server remembers (the most recent); older ones are only counted. */
export declare const MAX_RECENT_FAILURES: number;
/** `file` when its real path (symbolic links resolved) stays inside the real directory of its prefix, else null. */
export declare function containedRealPath(root: string, prefixes: readonly string[], file: string): Promise<string | null>;

export interface StaticServerOptions {
  /** Directory the URL paths are relative to (default the repository root). */
  readonly root?: string;
  /** URL path prefixes that are served; everything else is 404 (default DEMO_PREFIXES). */
  readonly prefixes?: readonly string[];
  /** Where "/" redirects (default /demo/index.html). */
  readonly index?: string;
  /** Port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
}

export interface RunningStaticServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly port: number;
  /** The last MAX_RECENT_FAILURES requests answered with an error status ("METHOD path -> status"), oldest first. */
  readonly failures: readonly string[];
  /** Counts since the server started: requests received, and those answered with an error. Read-only. */
  stats(): { readonly requests: number; readonly failures: number };
  close(): Promise<void>;
}

export declare function startStaticServer(options?: StaticServerOptions): Promise<RunningStaticServer>;
