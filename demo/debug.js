// SPDX-License-Identifier: BSD-3-Clause
// window.dosekitDemo: read-only views of the page's state, for the browser test
// (test/browser/demo.test.ts) and for anyone curious in the developer tools.

/** Installs window.dosekitDemo over the controller's `state` and the slice view. */
export function exposeDebugView(state, sliceView) {
  window.dosekitDemo = {
    get phase() {
      return state.phase;
    },
    get generation() {
      return state.generation;
    },
    get backend() {
      return state.result?.backend ?? null;
    },
    get computeMs() {
      return state.computeMs;
    },
    get dose() {
      const d = state.doses[state.doseIndex];
      return d ? { name: d.name, derived: Boolean(d.derived), maxDoseGy: d.grid.maxDoseGy } : null;
    },
    get csv() {
      return state.csv;
    },
    get differential() {
      return state.differential;
    },
    /** The derived structures: {number, name, expression, volumeCm3}. */
    get derived() {
      return state.derived.map(({ number, name, expression, volumeCm3 }) => ({ number, name, expression, volumeCm3 }));
    },
    get errors() {
      return state.errors.slice();
    },
    /** Where the dose maximum is, in patient mm, voxel indices and canvas px. */
    doseMaxLocation() {
      if (!sliceView.dose) return null;
      const at = sliceView.maxLocation();
      const [canvasX, canvasY] = sliceView.mmToCanvas(at.xMm, at.yMm);
      return { ...at, canvasX, canvasY, sliceIndex: sliceView.positions.findIndex((p) => p.frame === at.frame) };
    },
    slice: {
      get current() {
        return sliceView.current;
      },
      get size() {
        return [sliceView.canvas.width, sliceView.canvas.height];
      },
      mmToCanvas: (x, y) => sliceView.mmToCanvas(x, y),
      canvasToMm: (x, y) => sliceView.canvasToMm(x, y),
      setIndex: (index) => sliceView.setIndex(index),
    },
  };
}
