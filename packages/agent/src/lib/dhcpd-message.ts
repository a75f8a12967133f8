// What dhcpd writes to syslog, read as untrusted text: a client chooses its MAC, its
// vendor class and its host name, and a log file may be damaged. MACs, addresses and
// interface names are checked and normalised, the vendor class (which dhcpd.conf logs
// in hex, see playbooks/templates/dhcpd.conf.hbs) is decoded and made printable, and a
// client's host name is never read.

export type DhcpdEvent =
  | { kind: 'unknown'; mac: string; arch: number | null; vendorClass: string | null }
  | { kind: 'request'; type: string; mac: string; interface: string | null }
  | { kind: 'ack'; mac: string; ip: string; interface: string | null };

export const MAX_VENDOR_CLASS = 64;

/** "2:0:e:0:0:7" or "02:00:0E:00:00:07" as "02:00:0e:00:00:07"; null for anything else. */
export function normalizeMac(text: string): string | null {
  const parts = text.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return null;
  return parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':');
}

export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

const INTERFACE = /^[A-Za-z0-9_.@-]{1,15}$/;
const interfaceName = (text: string | undefined): string | null => (text !== undefined && INTERFACE.test(text) ? text : null);

/** Printable ASCII, other bytes as "?", at most MAX_VENDOR_CLASS characters. */
export function printable(bytes: Buffer | string, max = MAX_VENDOR_CLASS): string {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  let out = '';
  for (const byte of data.subarray(0, max)) out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '?';
  return out;
}

/** The vendor class as dhcpd.conf logs it, "50:58:45" (hex bytes, leading zeros dropped), or "-" for none. */
export function decodeVendorClass(hex: string): string | null | undefined {
  if (hex === '-') return null;
  const parts = hex.split(':');
  if (parts.length > 255 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return printable(Buffer.from(parts.map((p) => parseInt(p, 16))));
}

const UNKNOWN = /^diskless-unknown mac=(\S+) arch=(\S+) vc=(\S+)$/;
// "DHCPDISCOVER from MAC (name) via IF: ..."; the greedy (.*) takes a name holding ") via ".
const REQUEST = /^(DHCPDISCOVER|DHCPREQUEST|DHCPINFORM|DHCPDECLINE|DHCPRELEASE|BOOTREQUEST)\b.*? from (\S+) (?:\(.*\) )?via ([^\s:]+)/;
const ACK = /^DHCPACK on (\S+) to (\S+) (?:\(.*\) )?via ([^\s:]+)/;

/** One dhcpd message as an event; null for any other message or a malformed one. */
export function parseDhcpdMessage(message: string): DhcpdEvent | null {
  const unknown = UNKNOWN.exec(message);
  if (unknown) {
    const mac = normalizeMac(unknown[1]);
    const vendorClass = decodeVendorClass(unknown[3]);
    const arch = unknown[2] === '-' ? null : /^\d{1,5}$/.test(unknown[2]) && Number(unknown[2]) <= 0xffff ? Number(unknown[2]) : undefined;
    if (!mac || vendorClass === undefined || arch === undefined) return null;
    return { kind: 'unknown', mac, arch, vendorClass };
  }
  const request = REQUEST.exec(message);
  if (request) {
    const mac = normalizeMac(request[2]);
    return mac ? { kind: 'request', type: request[1], mac, interface: interfaceName(request[3]) } : null;
  }
  const ack = ACK.exec(message);
  if (ack) {
    const mac = normalizeMac(ack[2]);
    return mac && isIpv4(ack[1]) ? { kind: 'ack', mac, ip: ack[1], interface: interfaceName(ack[3]) } : null;
  }
  return null;
}
