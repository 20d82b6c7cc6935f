#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
import { runProcess } from '../dist/src/cli/main.js';

process.exitCode = await runProcess(process.argv.slice(2));
