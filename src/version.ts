// SPDX-License-Identifier: BSD-3-Clause
/** The dosekit version (kept equal to package.json by a test). */
export const VERSION = '0.1.0';
