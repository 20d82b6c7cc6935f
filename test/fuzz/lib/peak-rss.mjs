// SPDX-License-Identifier: BSD-3-Clause
// Preload for the fuzz suite's children (`node --import <this> bin/dosekit.js ...`): at exit,
// writes the process's peak resident set (getrusage ru_maxrss, KiB; VmHWM too on Linux) and its
// CPU time (user + system, all threads) to the file named by FUZZ_PEAK_RSS_FILE. The command itself runs unchanged.
import { readFileSync, writeFileSync } from 'node:fs';

const target = process.env.FUZZ_PEAK_RSS_FILE;
if (target) {
  process.on('exit', (code) => {
    let vmHwmKiB = null;
    try {
      const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
      if (match) vmHwmKiB = Number(match[1]);
    } catch {
      // Not Linux.
    }
    const usage = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ maxRssKiB: usage.maxRSS, vmHwmKiB, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, exitCode: code }));
  });
}
