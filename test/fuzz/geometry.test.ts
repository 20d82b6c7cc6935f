// SPDX-License-Identifier: BSD-3-Clause
// Fuzz family 3: hostile geometry in an RT Structure Set (far vertices, figure-8s, repeated and
// open contours, shared ROI Numbers, random polygons).
import { describeFamily } from './family.js';

describeFamily('geometry', 'hostile structure-set geometry');
