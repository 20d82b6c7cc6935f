// SPDX-License-Identifier: BSD-3-Clause
// Fuzz family 4: oversized and junk option values for every numeric option, deep ROI expressions,
// tiny memory ceilings.
import { describeFamily } from './family.js';

describeFamily('options', 'oversized and junk option values');
