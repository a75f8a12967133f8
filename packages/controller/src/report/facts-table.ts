// The human view of `diskless facts`: one row per master with what playbooks branch on.
import type { Facts } from '@diskless/agent/facts';
import { formatTable } from './table.js';

// Facts from an older agent may lack a part: every part is read as optional.
type SomeFacts = Partial<Facts>;

const COLUMNS: [string, (f: SomeFacts) => unknown][] = [
  ['HOSTNAME', (f) => f.hostname],
  ['OS', (f) => [f.os?.id ?? f.os?.family, f.os?.version].filter(Boolean).join(' ')],
  ['INIT', (f) => f.init],
  ['PACKAGES', (f) => f.packageManager],
  ['KERNEL', (f) => f.kernel?.release],
  ['INTERFACES', (f) =>
    (f.interfaces ?? [])
      .filter((i) => i.name !== 'lo')
      .map((i) => `${i.name}${i.ipv4?.[0] ? `=${i.ipv4[0].address}/${i.ipv4[0].prefix}` : ''}`)
      .join(' ')],
];

export function formatFactsTable(byMaster: Record<string, SomeFacts>): string {
  const rows = Object.entries(byMaster).map(([name, facts]) => [name, ...COLUMNS.map(([, pick]) => String(pick(facts) ?? '-'))]);
  return formatTable(['MASTER', ...COLUMNS.map(([title]) => title)], rows) + '\n';
}
