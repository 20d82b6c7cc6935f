// SPDX-License-Identifier: BSD-3-Clause
import { describe, expect, it } from 'vitest';
import { DVH, DVH_PALETTE, plotDvhs } from '../../src/dvh/index.js';

function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error, none was thrown');
}

/** Minimal XML well-formedness check: balanced, properly nested tags and no stray '<' or '&'. */
function expectWellFormed(svg: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let match: RegExpExecArray | null;
  while ((match = tag.exec(svg)) !== null) {
    const between = svg.slice(last, match.index);
    expect(between).not.toMatch(/[<>]/);
    expect(between).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = match;
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(svg.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
  expect(svg.startsWith('<svg')).toBe(true);
}

function polylines(svg: string): { stroke: string; points: [number, number][]; name?: string }[] {
  return [...svg.matchAll(/<polyline([^>]*)\/>/g)].map((m) => {
    const attrs = m[1]!;
    const points = /points="([^"]*)"/.exec(attrs)![1]!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
    return { stroke: /stroke="([^"]*)"/.exec(attrs)![1]!, points, name: /data-name="([^"]*)"/.exec(attrs)?.[1] };
  });
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** 100 cm3 uniform on [0, 50] Gy. */
const uniform = new DVH({ counts: range(50).map((i) => 100 - 2 * i), bins: range(51), name: 'Heart', color: [255, 0, 0], rxDose: 25 });
const other = new DVH({ counts: [40, 40, 20], bins: [0, 10, 20, 30], name: 'A<B & "C"' });
const margin = { top: 20, right: 20, bottom: 40, left: 60 };

describe('plotDvhs', () => {
  it('is a well-formed SVG with one polyline per DVH in its ROI colour or the palette', () => {
    const svg = plotDvhs([uniform, other], { width: 600, height: 400, title: 'Plan <1> & co' });
    expectWellFormed(svg);
    const lines = polylines(svg);
    expect(lines.length).toBe(2);
    expect(lines[0]!.stroke).toBe('rgb(255,0,0)');
    const [r, g, b] = DVH_PALETTE[1]!;
    expect(lines[1]!.stroke).toBe(`rgb(${r},${g},${b})`);
    expect(svg).toContain('width="600"');
    expect(svg).toContain('height="400"');
    expect(svg).toContain('Plan &lt;1&gt; &amp; co');
  });

  it('escapes structure names for XML', () => {
    const svg = plotDvhs([other]);
    expect(svg).not.toContain('A<B');
    expect(svg).toContain('A&lt;B &amp; &quot;C&quot;');
    expect(polylines(svg)[0]!.name).toBe('A&lt;B &amp; &quot;C&quot;');
    expectWellFormed(svg);
  });

  it('maps the first and last points of a known curve to the plot corners', () => {
    // Plot area x in [60, 580], y in [20, 360]; the curve runs from (0 Gy, 100 cm3) to (50 Gy, 0 cm3).
    for (const options of [{}, { doseMax: 50, volumeMax: 100 }]) {
      const [line] = polylines(plotDvhs([uniform], { width: 600, height: 400, margin, ...options }));
      expect(line!.points[0]).toEqual([60, 20]);
      expect(line!.points[line!.points.length - 1]).toEqual([580, 360]);
      expect(line!.points.length).toBe(51);
      expect(line!.points[10]![0]).toBeCloseTo(60 + (10 / 50) * 520, 2);
      expect(line!.points[10]![1]).toBeCloseTo(360 - (80 / 100) * 340, 2);
    }
  });

  it('draws axes with ticks and unit labels', () => {
    const svg = plotDvhs([uniform], { width: 600, height: 400, margin });
    expect(svg).toContain('Dose [Gy]');
    expect(svg).toContain('Volume [cm³]');
    for (const tick of ['0', '10', '20', '30', '40', '50']) expect(svg).toContain(`>${tick}</text>`);
    expect(svg).toContain('>100</text>');
    expect((svg.match(/class="tick"/g) ?? []).length).toBe(12);
  });

  it('plots relative dose and volume on request', () => {
    const svg = plotDvhs([uniform], { width: 600, height: 400, margin, relativeDose: true, relativeVolume: true });
    expect(svg).toContain('Dose [%]');
    expect(svg).toContain('Volume [%]');
    const [line] = polylines(svg);
    // 50 Gy = 200 % of the 25 Gy prescription; the axis ends there.
    expect(line!.points[line!.points.length - 1]).toEqual([580, 360]);
    expect(line!.points[0]).toEqual([60, 20]);
    const withRx = plotDvhs([other], { relativeDose: true, rxDose: 30 });
    expectWellFormed(withRx);
  });

  it('needs a prescription for relative dose and refuses mixed units', () => {
    expect(errorOf(() => plotDvhs([other], { relativeDose: true })).code).toBe('E_NO_RX_DOSE');
    expect(errorOf(() => plotDvhs([uniform, other.relativeVolume])).code).toBe('E_INCOMPATIBLE_DVH');
  });

  it('plots the differential DVH as a step curve of volume per Gy (each bin divided by its width)', () => {
    // Differential counts 0, 2, 4, 4, 1 cm3 in bins of width 1, 1, 2, 1, 5 Gy: 0, 2, 2, 4, 0.2 cm3/Gy.
    const steps = new DVH({ counts: [0, 2, 4, 4, 1], bins: [0, 1, 2, 4, 5, 10], type: 'differential', name: 'Steps' });
    // Axes: dose 0..10 Gy (ticks of 2), volume per Gy 0..4 (ticks of 1); plot area x in [60, 580], y in [20, 360].
    const x = (d: number): number => 60 + (d / 10) * 520;
    const y = (v: number): number => 360 - (v / 4) * 340;
    const expected = [[1, 0], [1, 2], [4, 2], [4, 4], [5, 4], [5, 0.2], [10, 0.2], [10, 0]].map(([d, v]) => [x(d!), y(v!)]);
    for (const dvh of [steps, steps.cumulative]) {
      const svg = plotDvhs([dvh], { width: 600, height: 400, margin, differential: true });
      expectWellFormed(svg);
      expect(svg).toContain('Volume per Gy [cm³/Gy]');
      expect(svg).not.toContain('Volume [cm³]');
      const [line] = polylines(svg);
      expect(line!.points.length).toBe(expected.length);
      line!.points.forEach(([px, py], i) => {
        expect(px).toBeCloseTo(expected[i]![0]!, 2);
        expect(py).toBeCloseTo(expected[i]![1]!, 2);
      });
      // y values by hand: 2 cm3/Gy at y = 190, 4 cm3/Gy at the top (20), 0.2 cm3/Gy at 343.
      expect(line!.points.map(([, py]) => py)).toEqual([360, 190, 190, 20, 20, 343, 343, 360]);
    }
    // Relative volume: 11 cm3 in all, so 4 cm3/Gy is 36.36 %/Gy (axis to 40, ticks of 10).
    const relative = plotDvhs([steps], { width: 600, height: 400, margin, differential: true, relativeVolume: true });
    expect(relative).toContain('Volume per Gy [%/Gy]');
    const [rel] = polylines(relative);
    expect(rel!.points[3]![1]).toBeCloseTo(360 - ((400 / 11) / 40) * 340, 2);
    expect(rel!.points[5]![1]).toBeCloseTo(360 - ((100 / 11 / 5) / 40) * 340, 2);
    // The uniform 100 cm3 over 50 Gy is 2 cm3/Gy throughout: one flat step.
    const [flat] = polylines(plotDvhs([uniform], { width: 600, height: 400, margin, differential: true }));
    expect(flat!.points).toEqual([[60, 360], [60, 20], [580, 20], [580, 360]]);
    // The same volume in bins twice as wide gives the same height per Gy.
    const coarse = new DVH({ counts: range(25).map(() => 4), bins: range(26).map((i) => 2 * i), type: 'differential' });
    expect(polylines(plotDvhs([coarse], { width: 600, height: 400, margin, differential: true, volumeMax: 2 }))[0]!.points).toEqual(flat!.points);
    // Dose in cGy or % of the prescription: the label follows the dose units.
    expect(plotDvhs([uniform], { differential: true, relativeDose: true })).toContain('Volume per % [cm³/%]');
    expect(plotDvhs([new DVH({ counts: [1, 1], bins: [0, 100, 200], doseUnits: 'cGy' })], { differential: true })).toContain('Volume per cGy [cm³/cGy]');
    // The default stays cumulative.
    expect(plotDvhs([steps], { differential: false })).toBe(plotDvhs([steps]));
    expect(plotDvhs([steps])).toContain('Volume [cm³]');
    expectWellFormed(plotDvhs([], { differential: true }));
  });

  it('draws an empty plot for no DVHs and skips the legend on request', () => {
    const svg = plotDvhs([]);
    expectWellFormed(svg);
    expect(polylines(svg).length).toBe(0);
    expect(plotDvhs([uniform], { legend: false })).not.toContain('class="legend"');
    expect(plotDvhs([uniform])).toContain('class="legend"');
  });
});
