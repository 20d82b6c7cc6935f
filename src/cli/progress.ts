// SPDX-License-Identifier: BSD-3-Clause
import type { CliIo } from './io.js';

/**
 * A one-line progress bar on stderr, drawn only on a terminal and at most ~10 times a second.
 * `detail` (e.g. counts and a rate) is printed after the bar.
 */
export function progressBar(io: CliIo, label: string): { update(fraction: number, detail?: string): void; done(): void } {
  if (!io.isTerminal) return { update() {}, done() {} };
  const started = Date.now();
  let last = 0;
  let drawn = false;
  const draw = (fraction: number, detail: string | undefined) => {
    const width = 30;
    const filled = Math.round(fraction * width);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.stderr(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${seconds}s${detail ? ` ${detail}\x1b[K` : ''}`);
    drawn = true;
  };
  return {
    update(fraction, detail) {
      const now = Date.now();
      if (now - started < 300 || now - last < 100) return;
      last = now;
      draw(fraction, detail);
    },
    done() {
      if (drawn) io.stderr('\r\x1b[K');
    },
  };
}
