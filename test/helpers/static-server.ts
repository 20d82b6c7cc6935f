// SPDX-License-Identifier: BSD-3-Clause
// The static file server of the browser tests: scripts/serve-demo.mjs's server (one
// implementation, the one `npm run demo` runs), rooted at the repository and serving only the
// built library (dist/), the browser builds of its dependencies (dcmjs, wgsl-preprocessor), the
// example DICOM files, the demo page and the test pages, on 127.0.0.1 (a secure context, so
// WebGPU is exposed) at a free port.
import { DEMO_PREFIXES, REPOSITORY_ROOT, mimeType, startStaticServer as startServer } from '../../scripts/serve-demo.mjs';

export { REPOSITORY_ROOT, mimeType };

/** URL path prefixes that are served; everything else is 404. */
export const SERVED_PREFIXES: readonly string[] = [...DEMO_PREFIXES, '/test/browser/page/'];

export interface StaticServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** The most recent requests answered with an error status (method, path, status), for diagnosing a page; at most MAX_RECENT_FAILURES. */
  readonly failures: readonly string[];
  /** Requests received and requests failed since the server started. */
  stats(): { readonly requests: number; readonly failures: number };
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1, port 0 (a free port); "/" redirects to the parity page. */
export async function startStaticServer(root: string = REPOSITORY_ROOT): Promise<StaticServer> {
  return startServer({ root, prefixes: SERVED_PREFIXES, index: '/test/browser/page/index.html' });
}
