#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// `npm start`: the DVHs of every ROI of the bundled example, as a table, a CSV file and an SVG plot.
import { main } from '../dist/src/cli/main.js';

const folder = 'dosekit-output';
const code = await main([
  'dvh',
  '--rtss', 'examples/rtss.dcm',
  '--rtdose', 'examples/rtdose_substitute.dcm',
  '--csv', `${folder}/example-dvhs.csv`,
  '--plot', `${folder}/example-dvhs.svg`,
  '--force',
]);
// Exit code 2 means some ROIs have no DVH; in the example that is "Areola", which has no contours.
if (code <= 2) process.stderr.write(`The example's DVHs are in ${folder}/ (example-dvhs.csv, example-dvhs.svg).\n`);
process.exitCode = code <= 2 ? 0 : code;
