// SPDX-License-Identifier: BSD-3-Clause
// A tiny static file server for browser tests: rooted at the repository, serving only the built
// library (dist/), the browser builds of its dependencies (dcmjs, wgsl-preprocessor), the example
// DICOM files and the test pages, on
// 127.0.0.1 (a secure context, so WebGPU is exposed) at a free port.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/helpers/static-server.ts). */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** URL path prefixes that are served; everything else is 404. */
export const SERVED_PREFIXES: readonly string[] = ['/dist/', '/node_modules/dcmjs/build/', '/node_modules/wgsl-preprocessor/', '/examples/', '/test/browser/page/'];

const MIME: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wgsl': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.dcm': 'application/octet-stream',
};

/** The Content-Type of a file name (application/octet-stream when unknown). */
export function mimeType(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Requests answered with an error status (method, path, status), for diagnosing a page. */
  readonly failures: readonly string[];
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1, port 0 (a free port). */
export async function startStaticServer(root: string = REPOSITORY_ROOT): Promise<StaticServer> {
  const rootDir = resolve(root);
  const failures: string[] = [];

  const fail = (req: IncomingMessage, res: ServerResponse, status: number, message: string) => {
    failures.push(`${req.method} ${req.url} -> ${status}`);
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(message);
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return fail(req, res, 405, 'method not allowed');
      let pathname: string;
      try {
        pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      } catch {
        return fail(req, res, 400, 'bad request');
      }
      if (pathname === '/' || pathname === '/index.html') {
        res.writeHead(302, { Location: '/test/browser/page/index.html' });
        res.end();
        return;
      }
      if (pathname.includes('\0') || !SERVED_PREFIXES.some((p) => pathname.startsWith(p))) return fail(req, res, 404, 'not found');
      const file = resolve(rootDir, `.${pathname}`);
      if (!file.startsWith(rootDir + sep)) return fail(req, res, 403, 'forbidden');
      let size: number;
      try {
        const info = await stat(file);
        if (!info.isFile()) return fail(req, res, 404, 'not found');
        size = info.size;
      } catch {
        return fail(req, res, 404, 'not found');
      }
      res.writeHead(200, { 'Content-Type': mimeType(file), 'Content-Length': size, 'Cache-Control': 'no-store' });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = createReadStream(file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    })().catch(() => {
      if (!res.headersSent) fail(req, res, 500, 'internal error');
      else res.destroy();
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    failures,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
