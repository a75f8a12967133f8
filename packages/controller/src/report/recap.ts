// The table printed at the end of every run, one row per master.
import type { RunSummary } from '../engine/events.js';
import { formatTable } from './table.js';

const COLUMNS = ['ok', 'changed', 'failed', 'skipped', 'unreachable'] as const;

export function formatRecap(summary: RunSummary): string {
  const rows = Object.entries(summary.hosts).map(([name, h]) => [
    name,
    String(h.ok),
    String(h.changed),
    String(h.failed),
    String(h.skipped),
    h.unreachable ? 'yes' : h.locked ? 'locked' : h.interrupted ? 'interrupted' : 'no',
  ]);
  const header = ['MASTER', ...COLUMNS.map((c) => c.toUpperCase())];
  const table = formatTable(header, rows, [1, 2, 3, 4, 5]);
  const seconds = (summary.durationMs / 1000).toFixed(1);
  const verdict = summary.interrupted ? 'interrupted' : summary.ok ? 'ok' : 'failed';
  const notes = Object.entries(summary.hosts)
    .filter(([, h]) => (h.unreachable || h.locked) && h.message)
    .map(([name, h]) => `${name} ${h.locked ? 'locked' : 'unreachable'}: ${h.message}`);
  return ['', 'RECAP', table, '', ...notes, `${verdict} in ${seconds}s`].join('\n') + '\n';
}
