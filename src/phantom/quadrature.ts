// SPDX-License-Identifier: BSD-3-Clause
// Gauss-Legendre quadrature for the ground-truth integrals.
/** Gauss-Legendre nodes and weights on [-1, 1] (Newton iteration on the Legendre recurrence). */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration += 1) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k += 1) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = x;
    weights[i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  return { nodes, weights };
}

export const GL = gaussLegendre(16);

/** The integral of f over [a, b] by 16-point Gauss-Legendre. */
export function integrate(f: (x: number) => number, a: number, b: number): number {
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  let sum = 0;
  for (let i = 0; i < GL.nodes.length; i += 1) sum += GL.weights[i] * f(mid + half * GL.nodes[i]);
  return sum * half;
}

/** The integral of f over [a, b] by Gauss-Legendre on pieces no longer than `maxPiece`. */
export function integratePieces(f: (x: number) => number, a: number, b: number, maxPiece: number): number {
  const pieces = Math.max(1, Math.ceil((b - a) / maxPiece));
  let sum = 0;
  for (let k = 0; k < pieces; k += 1) sum += integrate(f, a + ((b - a) * k) / pieces, a + ((b - a) * (k + 1)) / pieces);
  return sum;
}
