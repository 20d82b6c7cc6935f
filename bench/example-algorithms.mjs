#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// The example plan's DVHs by both algorithms, beside the independently computed DVHs stored in
// its RT Dose (5 x 5 supersampling, trilinear dose). `npm run build && node bench/example-algorithms.mjs`
import { DVH, DicomParser, calculateDvhs } from '../dist/src/index.js';

const structureSet = (await DicomParser.fromFile('examples/rtss.dcm')).toStructureSet();
const doseParser = await DicomParser.fromFile('examples/rtdose_substitute.dcm');
const dose = doseParser.toDoseGrid();
const precise = await calculateDvhs(structureSet, dose, { algorithm: 'precise' });
const compat = await calculateDvhs(structureSet, dose, { algorithm: 'dicompyler' });
const f = (v, d = 2) => v.toFixed(d);
console.log('| ROI | volume cm3: precise / dicompyler / file | Dmean Gy: precise / dicompyler / file | D95 Gy: precise / dicompyler / file | D2cc Gy: precise / dicompyler / file |');
console.log('|---|---|---|---|---|');
for (const { roi, name, dvh } of precise.dvhs) {
  const c = compat.dvhs.find((d) => d.roi === roi).dvh;
  const file = DVH.fromDicomDvh(doseParser, roi);
  const stat = (x, s) => (x.volume >= 2 || s !== 'D2cc' ? f(x.statistic(s).value) : '-');
  console.log(`| ${roi} ${name} | ${f(dvh.volume)} / ${f(c.volume)} / ${f(file.volume)} | ${f(dvh.mean, 3)} / ${f(c.mean, 3)} / ${f(file.mean, 3)} | ${stat(dvh, 'D95')} / ${stat(c, 'D95')} / ${stat(file, 'D95')} | ${stat(dvh, 'D2cc')} / ${stat(c, 'D2cc')} / ${stat(file, 'D2cc')} |`);
}
