// SPDX-License-Identifier: BSD-3-Clause
// Fuzz family 1: mutated DICOM headers (RT Dose and RT Structure Set) through `dosekit info` and
// `dosekit dvh`. Seeded: FUZZ_SEED, FUZZ_CASES and FUZZ_ONLY change the run (test/fuzz/README.md).
import { describeFamily } from './family.js';

describeFamily('headers', 'mutated DICOM headers');
