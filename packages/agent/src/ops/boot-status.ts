import { readFile, lstat } from 'node:fs/promises';
import path from 'node:path';
import { openDaemonLog } from '../lib/daemon-log.js';
import { isIpv4, normalizeMac } from '../lib/dhcpd-message.js';
import { establishedPeers } from '../lib/proc-net-tcp.js';
import { type SlaveRef, SlaveActivity } from '../lib/slave-activity.js';
import { parseSyslogLine } from '../lib/syslog-line.js';
import { agentOperation } from '../operation.js';
import { AgentError } from '../protocol.js';
import { argsSchema } from './arg-types.js';

const NFS_PORT = 2049;
/** Written by the slave's diskless-boot script at each boot, inside its own root. */
export const BOOT_REPORT = 'var/lib/diskless/booted';

function slavesArg(raw: unknown): SlaveRef[] {
  const bad = (why: string) => new AgentError('EARGS', `boot_status: argument "slaves" ${why}`);
  if (!Array.isArray(raw)) throw bad('must be a list of {name, mac, ip}');
  return raw.map((s: unknown, i) => {
    const { name, mac, ip } = (s ?? {}) as Record<string, unknown>;
    const normal = typeof mac === 'string' ? normalizeMac(mac) : null;
    if (typeof name !== 'string' || !name || !normal || typeof ip !== 'string' || !isIpv4(ip)) throw bad(`[${i}] must be {name, mac, ip} with a MAC and an IPv4 address`);
    return { name, mac: normal, ip };
  });
}

/** Remote addresses with an NFS connection open now (IPv4 and IPv6 sockets). */
async function nfsPeers(): Promise<Set<string>> {
  const peers = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const ip of establishedPeers(text, NFS_PORT)) peers.add(ip);
  }
  return peers;
}

/**
 * When the slave last reported a boot: the report file's time. The slave writes its
 * root, so no part of that path may be a link (it could point into the master's own files).
 */
async function bootReport(root: string): Promise<{ at: string } | null> {
  let current = root;
  for (const part of ['', ...BOOT_REPORT.split('/')]) {
    current = part ? path.join(current, part) : current;
    const info = await lstat(current).catch(() => null);
    if (!info || info.isSymbolicLink()) return null;
    if (part === 'booted') return info.isFile() ? { at: info.mtime.toISOString() } : null;
  }
  return null;
}

/**
 * Each slave's last DHCP answer and TFTP reads (from the master's log, since `since`
 * ms after the epoch when given), whether its root is mounted over NFS now, and when it
 * last reported a boot. Internal: `diskless status`.
 */
export const bootStatus = agentOperation<{ slaves: unknown; since?: number; disklessPath?: string; logFiles?: string[] }>({
  name: 'boot_status',
  mutates: false,
  playbook: false,
  description: "Each slave's last DHCP answer and TFTP reads from the master's log, whether its root is mounted over NFS now, and its last boot report (`diskless status`).",
  data: '`source`, `slaves` {<name>: {`dhcp` {`at`, `ip`}, `tftp` {`at`, `files`}, `nfs` {`at`}, `booted` {`at`}, each or null}}',
  args: argsSchema(['slaves'], {
    slaves: { type: 'array', items: { type: 'object' }, description: 'The slaves to report on: [{name, mac, ip}].' },
    since: { $ref: '#/definitions/number', description: 'Only log lines after this time (ms since the epoch).' },
    disklessPath: { $ref: '#/definitions/path', description: 'Where the slave roots are; default "/diskless".' },
    logFiles: { $ref: '#/definitions/stringList', description: 'Syslog files to try instead of the usual ones.' },
  }),
  async run(args) {
    const slaves = slavesArg(args.slaves);
    const since = args.since === undefined ? null : new Date(args.since);
    const disklessPath = args.disklessPath ?? '/diskless';
    const activity = new SlaveActivity(slaves, since);
    const log = await openDaemonLog(['dhcpd', 'in.tftpd'], since, args.logFiles);
    if (log) {
      const now = new Date();
      for await (const line of log.lines()) {
        const parsed = parseSyslogLine(line, now);
        if (parsed) activity.add(parsed);
      }
    }
    const peers = await nfsPeers();
    const now = new Date().toISOString();
    const report: Record<string, unknown> = {};
    for (const slave of slaves) {
      report[slave.name] = {
        dhcp: activity.dhcpOf(slave.name),
        tftp: activity.tftpOf(slave.name),
        nfs: peers.has(slave.ip) ? { at: now } : null,
        booted: await bootReport(path.join(disklessPath, slave.ip)),
      };
    }
    return { changed: false, data: { source: log?.source ?? null, slaves: report } };
  },
});
