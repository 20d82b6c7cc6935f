// SPDX-License-Identifier: BSD-3-Clause
// The demo's static file server (scripts/serve-demo.mjs): it never serves a file whose real path
// leaves the served prefixes (symbolic links included), and its state does not grow with the
// number of requests it has answered.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECENT_FAILURES, startStaticServer } from '../../scripts/serve-demo.mjs';

let base: string;
let root: string;
let outside: string;

/** GET `path` from `url`; resolves to the status code (the body is drained). */
function get(url: string, path: string, agent?: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(() => {
  // A served root with one served prefix, and secrets beside it (outside the root) and in it (outside the prefix).
  base = mkdtempSync(join(tmpdir(), 'dosekit-demo-server-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  mkdirSync(join(root, 'examples', 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'examples', 'plain.txt'), 'served');
  writeFileSync(join(root, 'private.txt'), 'not served: in the root, outside the prefix');
  writeFileSync(join(outside, 'secret.txt'), 'not served: outside the root');
  symlinkSync(join(outside, 'secret.txt'), join(root, 'examples', 'to-secret.txt'));
  symlinkSync(outside, join(root, 'examples', 'to-outside-dir'));
  symlinkSync(join(root, 'private.txt'), join(root, 'examples', 'sub', 'to-private.txt'));
  symlinkSync('/etc/passwd', join(root, 'examples', 'passwd'));
  symlinkSync(join(root, 'examples', 'plain.txt'), join(root, 'examples', 'sub', 'alias.txt'));
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('the demo server', () => {
  it('serves files under its prefixes, and no symbolic link whose target leaves them', async () => {
    const server = await startStaticServer({ root, prefixes: ['/examples/'] });
    try {
      expect(await get(server.url, '/examples/plain.txt')).toBe(200);
      // A link that stays inside the served prefix is an ordinary file there.
      expect(await get(server.url, '/examples/sub/alias.txt')).toBe(200);
      for (const path of ['/examples/to-secret.txt', '/examples/to-outside-dir/secret.txt', '/examples/sub/to-private.txt', '/examples/passwd', '/private.txt']) {
        expect(await get(server.url, path), path).toBe(404);
      }
    } finally {
      await server.close();
    }
  });

  it('keeps bounded state however many requests fail', async () => {
    const server = await startStaticServer({ root, prefixes: ['/examples/'] });
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const total = 20_000;
    const started = Date.now();
    try {
      const heapBefore = process.memoryUsage().heapUsed;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < total && Date.now() - started < 60_000) {
          const i = next++;
          expect(await get(server.url, `/examples/missing-${i}-${'x'.repeat(200)}.txt`, agent)).toBe(404);
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      expect(next).toBe(total);
      const stats = server.stats();
      expect(stats.requests).toBe(total);
      expect(stats.failures).toBe(total);
      expect(server.failures.length).toBeLessThanOrEqual(MAX_RECENT_FAILURES);
      expect(server.failures.at(-1)).toMatch(/^GET \/examples\/missing-\d+-x+\.txt -> 404$/);
      // The recent-failure list holds at most MAX_RECENT_FAILURES short lines; 20 000 kept lines of
      // about 250 characters would be several MB more than that, plus the per-request garbage.
      const growth = process.memoryUsage().heapUsed - heapBefore;
      expect(growth).toBeLessThan(64 * 2 ** 20);
    } finally {
      agent.destroy();
      await server.close();
    }
  }, 90_000);
});
