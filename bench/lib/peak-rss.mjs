// SPDX-License-Identifier: BSD-3-Clause
// Preload (`node --import ./bench/lib/peak-rss.mjs ...`): when the process exits, writes its peak
// resident set and CPU time to the file named by DOSEKIT_PEAK_RSS_FILE (or FUZZ_PEAK_RSS_FILE, as
// the fuzz suite's runner names it), as JSON: getrusage's ru_maxrss (process.resourceUsage().maxRSS,
// KiB), on Linux VmHWM from /proc/self/status (KiB), and user + system CPU time of all threads
// (ms). The command itself runs unchanged (the real bin, its own stdout and stderr).
import { readFileSync, writeFileSync } from 'node:fs';

const target = process.env.DOSEKIT_PEAK_RSS_FILE ?? process.env.FUZZ_PEAK_RSS_FILE;
if (target) {
  process.on('exit', (code) => {
    let vmHwmKiB = null;
    try {
      const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
      if (match) vmHwmKiB = Number(match[1]);
    } catch {
      // Not Linux: ru_maxrss alone.
    }
    const usage = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ maxRssKiB: usage.maxRSS, vmHwmKiB, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, exitCode: code }));
  });
}
