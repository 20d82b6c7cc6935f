// SPDX-License-Identifier: BSD-3-Clause
// Fuzz family 2: mutated RT Dose pixel data (random spans, zero padding, wrong lengths).
import { describeFamily } from './family.js';

describeFamily('pixels', 'mutated pixel data');
