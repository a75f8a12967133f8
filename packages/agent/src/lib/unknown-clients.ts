// The machines that asked dhcpd for an address and are not in the inventory, gathered
// from its log lines one at a time.
import { parseDhcpdMessage } from './dhcpd-message.js';
import type { SyslogLine } from './syslog-line.js';

export interface UnknownClient {
  mac: string;
  interface: string | null;
  vendorClass: string | null;
  arch: number | null;
  firstSeen: string;
  lastSeen: string;
  count: number;
}

/** More distinct MACs than this (a flood of made-up ones) are not followed. */
export const MAX_UNKNOWN_CLIENTS = 1024;

interface Seen {
  interface: string | null;
  vendorClass: string | null;
  arch: number | null;
  first: Date;
  last: Date;
  requests: number;
  logged: number;
}

export const DHCPD_PROGRAMS = new Set(['dhcpd']);

export class UnknownClients {
  private readonly seen = new Map<string, Seen>();
  truncated = false;

  /** `known`: the MACs of the inventory's slaves, normalised (lower case). */
  constructor(private readonly known: ReadonlySet<string>) {}

  add(line: SyslogLine): void {
    if (!DHCPD_PROGRAMS.has(line.program)) return;
    const event = parseDhcpdMessage(line.message);
    if (!event || event.kind === 'ack' || this.known.has(event.mac)) return;
    let entry = this.seen.get(event.mac);
    if (!entry) {
      if (this.seen.size >= MAX_UNKNOWN_CLIENTS) {
        this.truncated = true;
        return;
      }
      entry = { interface: null, vendorClass: null, arch: null, first: line.at, last: line.at, requests: 0, logged: 0 };
      this.seen.set(event.mac, entry);
    }
    if (line.at < entry.first) entry.first = line.at;
    if (line.at > entry.last) entry.last = line.at;
    if (event.kind === 'unknown') {
      entry.logged++;
      if (event.vendorClass !== null) entry.vendorClass = event.vendorClass;
      if (event.arch !== null) entry.arch = event.arch;
    } else {
      // DHCPRELEASE and DHCPDECLINE name the interface but ask for nothing.
      if (event.type !== 'DHCPRELEASE' && event.type !== 'DHCPDECLINE') entry.requests++;
      if (event.interface) entry.interface = event.interface;
    }
  }

  /** By first seen. `count`: the requests dhcpd logged, or the diskless lines if it logged none. */
  list(): UnknownClient[] {
    return [...this.seen.entries()]
      .sort(([, a], [, b]) => a.first.getTime() - b.first.getTime())
      .map(([mac, s]) => ({
        mac,
        interface: s.interface,
        vendorClass: s.vendorClass,
        arch: s.arch,
        firstSeen: s.first.toISOString(),
        lastSeen: s.last.toISOString(),
        count: Math.max(s.requests, s.logged),
      }));
  }
}
