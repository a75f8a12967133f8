// The "slaves per master" step: one lab master of its own (the last in the lab, which
// no other step uses) with 8, 64, 250 slaves: site.json's first run from a reset
// master, its no-op re-run, adding one slave and removing it again (the lab follows
// the inventory: `lab up` on a running lab adds and removes slave namespaces).
import type { BenchInventory, BenchMaster } from './inventory.js';
import { slaveFirmware } from './inventory.js';

/** The step's master: named apart from the m01, m02, ... of the other steps. */
export const SPM_MASTER = 'spm';

/** Its LAN: a /22, room for 1000 slaves (hosts .20 up), apart from the other masters' 10.100.x.0/24 and up. */
const SPM_LAN = { interface: 'lan0', address: '10.99.0.1', prefix: 22, routers: '10.99.0.1', dns: ['10.99.0.1'] };

const hex = (n: number) => n.toString(16).padStart(2, '0');

/** Slave number `s` (from 0) of the step's master: its name, MAC, address and the benchmark's firmware mix. */
export function spmSlave(s: number): [string, BenchMaster['slaves'][string]] {
  if (s < 0 || s > 999) throw new Error(`the slaves-per-master step has room for 1000 slaves, not slave number ${s + 1}`);
  const host = 20 + s;
  return [`p${s + 1}`, { mac: `02:00:bf:00:${hex(s >> 8)}:${hex(s & 255)}`, ip: `10.99.${host >> 8}.${host & 255}`, boot: 'pxe', firmware: slaveFirmware(s) }];
}

/** The step's master with `slaves` slaves, on management address `host` (`boot`: the boot storm's http transport). */
export function spmMaster(host: string, slaves: number, boot?: BenchMaster['boot']): BenchMaster {
  return {
    ssh: { host },
    ...(boot ? { boot } : {}),
    lan: SPM_LAN,
    nfs: { server: 'ganesha', mountOptions: 'tcp,vers=3', shared: { '/usr': 'ro', '/home': 'rw' } },
    slaves: Object.fromEntries(Array.from({ length: slaves }, (_, s) => spmSlave(s))),
  };
}

/** The bench inventory with the step's master (last) holding `slaves` slaves. */
export function withSpmMaster(inventory: BenchInventory, host: string, slaves: number, boot?: BenchMaster['boot']): BenchInventory {
  const { [SPM_MASTER]: _, ...others } = inventory.masters;
  return { ...inventory, masters: { ...others, [SPM_MASTER]: spmMaster(host, slaves, boot) } };
}

/** Only the step's master: what the controller is given in the step. */
export function onlySpmMaster(inventory: BenchInventory): BenchInventory {
  const master = inventory.masters[SPM_MASTER];
  if (!master) throw new Error(`the inventory has no master ${SPM_MASTER}`);
  return { ...inventory, masters: { [SPM_MASTER]: master } };
}

/** A task's time in one run, from diskless's JSON report. */
export interface TaskTime {
  task: string;
  ms: number;
}

/** The `count` slowest tasks of a diskless --json report (summed over masters), slowest first. */
export function slowestTasks(report: { hosts: Record<string, { tasks?: { playbook: string; name: string; durationMs?: number }[] }> }, count: number): TaskTime[] {
  const sum = new Map<string, number>();
  for (const h of Object.values(report.hosts)) {
    for (const t of h.tasks ?? []) {
      const key = `${t.playbook} | ${t.name}`;
      sum.set(key, (sum.get(key) ?? 0) + (t.durationMs ?? 0));
    }
  }
  return [...sum]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([task, ms]) => ({ task, ms: Math.round(ms) }));
}
