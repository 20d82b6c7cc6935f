// SPDX-License-Identifier: BSD-3-Clause
// Runs the dosekit command line like bin/dosekit.js and reports the process's peak memory on
// stderr as the last line (JSON), so a benchmark can time and measure a whole process.
import { main } from '../../dist/src/cli/main.js';

const code = await main(process.argv.slice(2), { stdout: () => {}, stderr: (t) => process.stderr.write(t), isTerminal: false });
process.stderr.write(`\n${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, code })}\n`);
