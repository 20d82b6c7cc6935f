// SPDX-License-Identifier: BSD-3-Clause
// Fuzz family 5: non-regular files (FIFOs, folders, /dev/zero) as inputs, in a cohort and as
// output targets.
import { describeFamily } from './family.js';

describeFamily('files', 'non-regular inputs and outputs');
