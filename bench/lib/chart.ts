// The benchmark's charts: one small SVG line chart, a linear x axis and a logarithmic
// time axis (Ansible's times are tens of times diskless's; a linear axis would flatten
// diskless's lines to zero).

export interface Series {
  name: string;
  color: string;
  /** Drawn dashed (the other tool's lines). */
  dashed?: boolean;
  /** [x, y] pairs, y in seconds. */
  points: (readonly [number, number])[];
}

export interface LineChart {
  xLabel: string;
  yLabel: string;
  /** Where the x axis is labelled (the measured steps); the axis runs from 0 to the largest. */
  xTicks: number[];
  series: Series[];
}

/** Tick values 1, 2, 5 × 10^k from `min` to `max`. */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(min)); 10 ** k <= max; k++) {
    for (const f of [1, 2, 5]) {
      const v = f * 10 ** k;
      if (v >= min && v <= max) ticks.push(Number(v.toPrecision(3)));
    }
  }
  return ticks;
}

/** The time axis: whole decades around the positive values, with room above the largest (and at least up to 10 s). */
export function logAxis(values: number[]): { min: number; max: number } {
  const positive = values.filter((v) => v > 0);
  return { min: 10 ** Math.floor(Math.log10(Math.min(...positive, 1))), max: 10 ** Math.ceil(Math.log10(Math.max(...positive, 1) * 1.05)) };
}

const W = 480;
const H = 300;

export function lineChart(chart: LineChart): string {
  // Room on the right for the longest name of the legend (about 6.5 px a character at 11 px).
  const longest = Math.max(0, ...chart.series.map((x) => x.name.length));
  const pad = { left: 50, right: Math.max(110, Math.ceil(20 + 6.5 * longest)), top: 20, bottom: 40 };
  const { min: minY, max: maxY } = logAxis(chart.series.flatMap((x) => x.points.map((p) => p[1])));
  const maxX = Math.max(...chart.xTicks, ...chart.series.flatMap((x) => x.points.map((p) => p[0])));
  const px = (m: number) => pad.left + ((W - pad.left - pad.right) * m) / maxX;
  const py = (y: number) => H - pad.bottom - ((H - pad.top - pad.bottom) * Math.log10(Math.max(y, minY) / minY)) / Math.log10(maxY / minY);
  const bottom = py(minY);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<line x1="${pad.left}" y1="${bottom}" x2="${px(maxX)}" y2="${bottom}" stroke="black"/>`,
    `<line x1="${pad.left}" y1="${bottom}" x2="${pad.left}" y2="${pad.top}" stroke="black"/>`,
    `<text x="${(pad.left + px(maxX)) / 2}" y="${H - 8}" text-anchor="middle">${chart.xLabel}</text>`,
    `<text x="12" y="${(H - pad.bottom + pad.top) / 2}" text-anchor="middle" transform="rotate(-90 12 ${(H - pad.bottom + pad.top) / 2})">${chart.yLabel}</text>`,
  ];
  for (const m of chart.xTicks) out.push(`<text x="${px(m)}" y="${bottom + 15}" text-anchor="middle">${m}</text>`);
  for (const y of logTicks(minY, maxY)) {
    out.push(`<line x1="${pad.left}" y1="${py(y).toFixed(1)}" x2="${px(maxX)}" y2="${py(y).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${pad.left - 5}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${y}</text>`);
  }
  chart.series.forEach((line, i) => {
    if (line.points.length === 0) return;
    const dash = line.dashed ? ' stroke-dasharray="6 3"' : '';
    out.push(`<polyline fill="none" stroke="${line.color}" stroke-width="2"${dash} points="${line.points.map(([m, y]) => `${px(m).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [m, y] of line.points) out.push(`<circle cx="${px(m).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${line.color}"/>`);
    out.push(`<text x="${W - pad.right + 10}" y="${pad.top + 15 * (i + 1)}" fill="${line.color}">${line.name}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
