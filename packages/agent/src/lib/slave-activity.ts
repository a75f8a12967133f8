// What each slave last did that its master logged: its last DHCP answer (dhcpd's
// DHCPACK) and the files it last read by TFTP (tftpd-hpa's RRQ lines).
import { DHCPD_PROGRAMS } from './unknown-clients.js';
import { parseDhcpdMessage } from './dhcpd-message.js';
import type { SyslogLine } from './syslog-line.js';
import { parseTftpdMessage } from './tftpd-message.js';

export interface SlaveRef {
  name: string;
  mac: string; // normalised, lower case
  ip: string;
}

export interface DhcpAnswer {
  at: string;
  ip: string;
}

export interface TftpReads {
  at: string;
  files: string[];
}

/** How many of the last files read are kept for each slave. */
export const TFTP_FILES_KEPT = 8;
const TFTPD_PROGRAMS = new Set(['in.tftpd', 'tftpd']);

export class SlaveActivity {
  private readonly byMac = new Map<string, SlaveRef>();
  private readonly byIp = new Map<string, SlaveRef>();
  private readonly dhcp = new Map<string, { at: Date; ip: string }>();
  private readonly tftp = new Map<string, { at: Date; files: string[] }>();

  constructor(
    slaves: SlaveRef[],
    private readonly since: Date | null = null,
  ) {
    for (const s of slaves) {
      this.byMac.set(s.mac, s);
      this.byIp.set(s.ip, s);
    }
  }

  add(line: SyslogLine): void {
    if (this.since && line.at < this.since) return;
    if (DHCPD_PROGRAMS.has(line.program)) {
      const event = parseDhcpdMessage(line.message);
      const slave = event?.kind === 'ack' ? this.byMac.get(event.mac) : undefined;
      if (!slave || event?.kind !== 'ack') return;
      const last = this.dhcp.get(slave.name);
      if (!last || line.at >= last.at) this.dhcp.set(slave.name, { at: line.at, ip: event.ip });
    } else if (TFTPD_PROGRAMS.has(line.program)) {
      const read = parseTftpdMessage(line.message);
      const slave = read ? this.byIp.get(read.ip) : undefined;
      if (!slave || !read) return;
      const last = this.tftp.get(slave.name) ?? { at: line.at, files: [] };
      if (line.at >= last.at) last.at = line.at;
      last.files.push(read.file);
      if (last.files.length > TFTP_FILES_KEPT) last.files.shift();
      this.tftp.set(slave.name, last);
    }
  }

  dhcpOf(slave: string): DhcpAnswer | null {
    const d = this.dhcp.get(slave);
    return d ? { at: d.at.toISOString(), ip: d.ip } : null;
  }

  tftpOf(slave: string): TftpReads | null {
    const t = this.tftp.get(slave);
    return t ? { at: t.at.toISOString(), files: [...t.files] } : null;
  }
}
