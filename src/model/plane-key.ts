// SPDX-License-Identifier: BSD-3-Clause

/** Python's round(x, 2): correctly rounded, ties (exact binary halves) to even. */
export function roundHalfEven2(x: number): number {
  if (!Number.isFinite(x)) return x;
  // A value can sit exactly half-way between two hundredths only if it is a multiple of 1/8
  // with an odd numerator (0.125, 0.375, ...); toFixed would round those away from zero.
  const eighths = x * 8;
  if (Number.isInteger(eighths) && eighths % 2 !== 0 && Number.isInteger(x * 200) && (x * 200) % 2 !== 0) {
    const down = Math.floor(x * 100) / 100;
    const up = Math.ceil(x * 100) / 100;
    return Math.round(down * 100) % 2 === 0 ? down : up;
  }
  return Number(x.toFixed(2));
}

/** Python's str() of a float for the values a plane key can take (no exponent forms needed here). */
function pythonFloatString(x: number): string {
  if (Object.is(x, -0)) return '-0.0';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
  return String(x);
}

/** dicompyler-core's plane key: str(round(z, 2)) + '0', e.g. "-122.440", "5.00". */
export function dicompylerPlaneKey(zMm: number): string {
  return `${pythonFloatString(roundHalfEven2(zMm))}0`;
}
