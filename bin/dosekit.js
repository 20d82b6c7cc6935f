#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
