#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs the dosekit CLI under Deno, e.g. `scripts/dosekit-deno.sh info examples/rtss.dcm`
# (after `npm run build`). The one place that says how: test/deno/cli-deno.test.ts runs it too.
#
# deno: $DENO, else the one `npm install` put in node_modules (the `deno` devDependency), else
# the one on PATH. Flags: -A. Today's commands need only --allow-read --allow-write --allow-env
# (DICOM in, outputs out, VK_ICD_FILENAMES and DOSEKIT_DEBUG); WebGPU is Deno's own
# navigator.gpu, which Deno 2 has without --unstable-webgpu. Works offline: the npm imports
# (dcmjs, ...) resolve from node_modules, and DENO_DIR only holds Deno's caches.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deno=${DENO:-$root/node_modules/.bin/deno}
if [ ! -x "$deno" ]; then
  deno=$(command -v deno) || { echo "dosekit-deno: no deno found (run npm install, or put deno on PATH)" >&2; exit 127; }
fi
export DENO_NO_UPDATE_CHECK=1
exec "$deno" run -A "$root/bin/dosekit.js" "$@"
