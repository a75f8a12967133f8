// What a benchmark run leaves behind: the results JSON, a table for the terminal and
// bench/README.md, and an SVG chart of wall time against the number of masters.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Summary } from './measure.js';

export interface PairFigures {
  diskless: Summary;
  ansible: Summary;
  /** Ansible's wall time over diskless's, run by run. */
  ratio: Summary;
}

export interface ScaleStep {
  masters: number;
  diskless: { wallMs: Summary; controllerPeakRssMb: Summary; agentPeakRssMb: number | null };
  ansible: { wallMs: Summary; controllerPeakRssMb: Summary } | null;
}

export interface BenchResults {
  date: string;
  mode: 'quick' | 'full';
  machine: { cpus: number; node: string; ansible: string };
  options: { n: number; repeat: number; masters: number; slavesPerMaster: number; scale: number[]; ansibleScaleMax: number };
  equalWork: {
    masters: number;
    items: { files: number; dirs: number; links: number };
    first: PairFigures;
    noop: PairFigures;
    /** Marginal wall time of one more no-op item on every master (diskless, N items against 3). */
    perItemOverheadMs: Summary;
  };
  scaling: ScaleStep[];
  targets: Record<string, { target: string; value: number | null; met: boolean | null }>;
}

const s = (ms: number) => (ms / 1000).toFixed(2);
const range = (x: Summary, f: (v: number) => string) => `${f(x.median)} (${f(x.min)}–${f(x.max)})`;

export function resultTable(r: BenchResults): string {
  const w = r.equalWork;
  const lines = [
    `Equal work: ${r.options.n} items per master (${w.items.files} files, ${w.items.dirs} directories, ${w.items.links} links), ${w.masters} masters, ${r.options.repeat} run(s) each; median (min–max)`,
    '',
    '| run | diskless (s) | Ansible (s) | Ansible / diskless |',
    '|---|---|---|---|',
    `| first run (all changed) | ${range(w.first.diskless, s)} | ${range(w.first.ansible, s)} | ${range(w.first.ratio, (v) => `${v.toFixed(1)}×`)} |`,
    `| no-op re-run | ${range(w.noop.diskless, s)} | ${range(w.noop.ansible, s)} | ${range(w.noop.ratio, (v) => `${v.toFixed(1)}×`)} |`,
    '',
    `Marginal cost of one no-op item per master (diskless, over SSH): ${range(w.perItemOverheadMs, (v) => v.toFixed(2))} ms`,
    '',
    `Scaling: no-op equal-work re-run, ${r.options.slavesPerMaster} slaves per master in the inventory`,
    '',
    '| masters | diskless (s) | controller peak RSS (MB) | agent peak RSS (MB) | Ansible (s) | Ansible peak RSS (MB) |',
    '|---|---|---|---|---|---|',
    ...r.scaling.map(
      (x) =>
        `| ${x.masters} | ${range(x.diskless.wallMs, s)} | ${x.diskless.controllerPeakRssMb.median.toFixed(0)} | ${x.diskless.agentPeakRssMb ?? 'n/a'} | ${x.ansible ? range(x.ansible.wallMs, s) : 'not run'} | ${x.ansible ? x.ansible.controllerPeakRssMb.median.toFixed(0) : ''} |`,
    ),
    '',
    '| target | wanted | measured | met |',
    '|---|---|---|---|',
    ...Object.entries(r.targets).map(([name, t]) => `| ${name} | ${t.target} | ${t.value ?? 'n/a'} | ${t.met === null ? 'not measured' : t.met ? 'yes' : 'NO'} |`),
  ];
  return lines.join('\n');
}

const BEGIN = '<!-- bench:results:begin -->';
const END = '<!-- bench:results:end -->';

/** Replaces what lies between the README's result markers. */
export function updateReadme(file: string, r: BenchResults, chart: string): void {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file}: the markers ${BEGIN} and ${END} are missing`);
  const body = [`Measured ${r.date} (${r.machine.cpus} CPUs, Node ${r.machine.node}, ${r.machine.ansible}).`, '', resultTable(r), '', `![wall time against masters](${chart})`].join('\n');
  writeFileSync(file, `${text.slice(0, start + BEGIN.length)}\n${body}\n${text.slice(end)}`);
}

/** A small line chart: wall time (s) of the no-op run against the number of masters. */
export function scalingChart(steps: ScaleStep[]): string {
  const W = 480;
  const H = 300;
  const pad = { left: 50, right: 110, top: 20, bottom: 40 };
  const series = [
    { name: 'diskless', color: '#1f77b4', points: steps.map((x) => [x.masters, x.diskless.wallMs.median / 1000] as const) },
    { name: 'Ansible', color: '#d62728', points: steps.filter((x) => x.ansible).map((x) => [x.masters, x.ansible!.wallMs.median / 1000] as const) },
  ];
  const maxX = Math.max(...steps.map((x) => x.masters));
  const maxY = Math.max(1, ...series.flatMap((x) => x.points.map((p) => p[1]))) * 1.1;
  const px = (m: number) => pad.left + ((W - pad.left - pad.right) * m) / maxX;
  const py = (y: number) => H - pad.bottom - ((H - pad.top - pad.bottom) * y) / maxY;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<line x1="${pad.left}" y1="${py(0)}" x2="${px(maxX)}" y2="${py(0)}" stroke="black"/>`,
    `<line x1="${pad.left}" y1="${py(0)}" x2="${pad.left}" y2="${pad.top}" stroke="black"/>`,
    `<text x="${(pad.left + px(maxX)) / 2}" y="${H - 8}" text-anchor="middle">masters</text>`,
    `<text x="12" y="${(H - pad.bottom + pad.top) / 2}" text-anchor="middle" transform="rotate(-90 12 ${(H - pad.bottom + pad.top) / 2})">wall time of a no-op run (s)</text>`,
  ];
  for (const m of steps.map((x) => x.masters)) out.push(`<text x="${px(m)}" y="${py(0) + 15}" text-anchor="middle">${m}</text>`);
  for (let i = 0; i <= 4; i++) {
    const y = (maxY * i) / 4;
    out.push(`<text x="${pad.left - 5}" y="${py(y) + 4}" text-anchor="end">${y.toFixed(y < 10 ? 1 : 0)}</text>`);
  }
  series.forEach((line, i) => {
    if (line.points.length === 0) return;
    out.push(`<polyline fill="none" stroke="${line.color}" stroke-width="2" points="${line.points.map(([m, y]) => `${px(m).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [m, y] of line.points) out.push(`<circle cx="${px(m).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${line.color}"/>`);
    out.push(`<text x="${W - pad.right + 10}" y="${pad.top + 15 * (i + 1)}" fill="${line.color}">${line.name}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
