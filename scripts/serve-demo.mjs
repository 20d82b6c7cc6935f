#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// `npm run demo`: serves the browser page (demo/) with the built library (dist/), the browser
// builds of its dependencies and the example RT set, on 127.0.0.1 (a secure context, so WebGPU is
// exposed), at a free port or the one given (--port N or PORT), and prints the URL.
//
// A small static file server: only GET and HEAD, only files under the served URL prefixes (every
// other path is 404, and a path that leaves them through "..", encoded slashes, a symbolic link or
// the like is refused), nothing cached, and no state that grows with the number of requests. The
// browser tests start the same server (test/helpers/static-server.ts).
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is scripts/serve-demo.mjs). */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** What the page needs: itself, the built library, dcmjs and wgsl-preprocessor (browser builds), the example files. */
export const DEMO_PREFIXES = Object.freeze(['/demo/', '/dist/', '/node_modules/dcmjs/build/', '/node_modules/pako/dist/', '/node_modules/wgsl-preprocessor/', '/examples/']);

const MIME = Object.freeze({
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wgsl': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.dcm': 'application/octet-stream',
});

/** The Content-Type of a file name (application/octet-stream when unknown). */
export function mimeType(path) {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a URL path names, or null when it is not one to serve: outside `prefixes` (checked on
 * the decoded path and again on the resolved file, so "/dist/..%2fpackage.json" is refused), a
 * NUL byte, or a backslash.
 */
export function resolveServedPath(root, prefixes, pathname) {
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (!prefixes.some((p) => pathname.startsWith(p))) return null;
  const file = resolve(root, `.${pathname}`);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..')) return null;
  const urlPath = `/${inside.split(sep).join('/')}`;
  return prefixes.some((p) => urlPath.startsWith(p)) ? file : null;
}

/** How many failed requests the server remembers (the most recent ones); older ones are only counted. */
export const MAX_RECENT_FAILURES = 100;

/** The longest request URL kept in a failure line, in characters (URLs may be 16 KiB long). */
const MAX_FAILURE_URL_CHARS = 512;

/**
 * `file` when its real path (symbolic links resolved) stays inside the real directory of the
 * prefix its URL path matched, else null: a link under examples/ to /etc/passwd, to a file
 * elsewhere in the root or to a directory outside is never followed out of its prefix.
 */
export async function containedRealPath(root, prefixes, file) {
  let real;
  try {
    real = await realpath(file);
  } catch {
    return null;
  }
  const inside = relative(root, file);
  const urlPath = `/${inside.split(sep).join('/')}`;
  for (const prefix of prefixes) {
    if (!urlPath.startsWith(prefix)) continue;
    let directory;
    try {
      directory = await realpath(resolve(root, `.${prefix}`));
    } catch {
      continue;
    }
    const within = relative(directory, real);
    if (within !== '' && !within.startsWith('..') && !isAbsolute(within)) return real;
  }
  return null;
}

/**
 * Starts the server. Options: root (default the repository), prefixes (default DEMO_PREFIXES),
 * index (where "/" redirects; default /demo/index.html), port (default 0: a free one), host
 * (default 127.0.0.1). A path ending in "/" serves its index.html.
 * Resolves to {url (no trailing slash), port, failures (the last MAX_RECENT_FAILURES requests
 * answered with an error, oldest first), stats() ({requests, failures}: counts since start),
 * close()}.
 */
export async function startStaticServer(options = {}) {
  const root = resolve(options.root ?? REPOSITORY_ROOT);
  const prefixes = options.prefixes ?? DEMO_PREFIXES;
  const index = options.index ?? '/demo/index.html';
  const host = options.host ?? '127.0.0.1';
  // Bounded: a ring of the most recent failures and two counters, however long the server runs.
  const recentFailures = [];
  let requestCount = 0;
  let failureCount = 0;

  const fail = (req, res, status, message) => {
    failureCount += 1;
    const url = String(req.url ?? '');
    const shown = url.length > MAX_FAILURE_URL_CHARS ? `${url.slice(0, MAX_FAILURE_URL_CHARS)}...` : url;
    recentFailures.push(`${req.method} ${shown} -> ${status}`);
    if (recentFailures.length > MAX_RECENT_FAILURES) recentFailures.shift();
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(message);
  };

  const server = createServer((req, res) => {
    requestCount += 1;
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return fail(req, res, 405, 'method not allowed');
      let pathname;
      try {
        pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      } catch {
        return fail(req, res, 400, 'bad request');
      }
      if (pathname === '/' || pathname === '/index.html') {
        res.writeHead(302, { Location: index, 'Cache-Control': 'no-store' });
        res.end();
        return;
      }
      if (pathname.endsWith('/')) pathname += 'index.html';
      const named = resolveServedPath(root, prefixes, pathname);
      const file = named && (await containedRealPath(root, prefixes, named));
      if (!file) return fail(req, res, 404, 'not found');
      let size;
      try {
        const info = await stat(file);
        if (!info.isFile()) return fail(req, res, 404, 'not found');
        size = info.size;
      } catch {
        return fail(req, res, 404, 'not found');
      }
      res.writeHead(200, { 'Content-Type': mimeType(named), 'Content-Length': size, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
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

  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolveListen());
  });
  const { port } = server.address();
  return {
    url: `http://${host}:${port}`,
    port,
    get failures() {
      return [...recentFailures];
    },
    stats: () => ({ requests: requestCount, failures: failureCount }),
    close: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

/** --port N (or --port=N), else PORT, else 0. */
function portFromArguments(args, env) {
  const at = args.findIndex((a) => a === '--port' || a.startsWith('--port='));
  const text = at < 0 ? env.PORT : args[at].includes('=') ? args[at].slice('--port='.length) : args[at + 1];
  if (text === undefined || text === '') return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${text}: give a port number from 0 to 65535 (0: a free one)`);
  return port;
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('usage: node scripts/serve-demo.mjs [--port N]   (npm run demo -- --port N)\nServes demo/ on 127.0.0.1; port 0 (the default) picks a free one.\n');
    return;
  }
  let port;
  try {
    port = portFromArguments(args, process.env);
  } catch (error) {
    process.stderr.write(`serve-demo: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  const built = await stat(resolve(REPOSITORY_ROOT, 'dist/src/index.js')).then(() => true, () => false);
  if (!built) process.stderr.write('serve-demo: dist/src/index.js is missing; run `npm run build` first (npm run demo does).\n');
  let server;
  try {
    server = await startStaticServer({ port });
  } catch (error) {
    process.stderr.write(`serve-demo: cannot listen on 127.0.0.1:${port} (${error.code ?? error.message})\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`dosekit demo: ${server.url}/demo/\n(serving demo/, dist/, examples/ and the browser builds of dcmjs and wgsl-preprocessor; Ctrl+C stops)\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
