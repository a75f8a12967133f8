// `diskless status`: what each slave last did on its master (DHCP, TFTP), whether its
// root is mounted over NFS now, and when it last reported a boot.
import type { Master } from '../types.js';
import { formatTable } from '../report/table.js';
import type { MasterAnswer } from './ask-masters.js';
import { age } from './time-text.js';

export interface SlaveStatus {
  dhcp: { at: string; ip: string } | null;
  tftp: { at: string; files: string[] } | null;
  nfs: { at: string } | null;
  booted: { at: string } | null;
}

export interface StatusHost {
  unreachable: boolean;
  msg?: string;
  slaves: Record<string, SlaveStatus>;
}

export function statusArgs(since: number | undefined): (master: Master) => Record<string, unknown> {
  return (master) => ({
    slaves: master.slaves.map((s) => ({ name: s.name, mac: s.mac, ip: s.ip })),
    ...(since === undefined ? {} : { since }),
  });
}

export function statusHosts(masters: Master[], answers: Record<string, MasterAnswer>): Record<string, StatusHost> {
  return Object.fromEntries(
    masters.map((master) => {
      const a = answers[master.name];
      const reported = (a.data?.slaves ?? {}) as Record<string, SlaveStatus>;
      // Only the inventory's slaves, in its order, each with all four keys.
      const slaves = a.data
        ? Object.fromEntries(master.slaves.map((s) => {
          const r = reported[s.name];
          return [s.name, { dhcp: r?.dhcp ?? null, tftp: r?.tftp ?? null, nfs: r?.nfs ?? null, booted: r?.booted ?? null }];
        }))
        : {};
      return [master.name, { unreachable: a.unreachable, ...(a.msg ? { msg: a.msg } : {}), slaves }];
    }),
  );
}

const FILES_SHOWN = 3;

export function formatStatusTable(hosts: Record<string, StatusHost>, now = Date.now()): string {
  const rows = Object.entries(hosts).flatMap(([master, host]) =>
    Object.entries(host.slaves).map(([slave, s]) => [
      master,
      slave,
      s.dhcp ? `${age(s.dhcp.at, now)} ${s.dhcp.ip}` : '-',
      s.tftp ? `${age(s.tftp.at, now)} ${s.tftp.files.slice(-FILES_SHOWN).join(',')}` : '-',
      s.nfs ? 'mounted' : '-',
      s.booted ? age(s.booted.at, now) : '-',
    ]),
  );
  if (rows.length === 0) return 'No slaves.\n';
  return formatTable(['MASTER', 'SLAVE', 'DHCP', 'TFTP', 'NFS', 'BOOTED'], rows) + '\n';
}
