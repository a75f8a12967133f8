// tftpd-hpa's verbose log (-v): "RRQ from 192.168.1.21 filename pxelinux.0". The file
// name is the client's choice: made printable and cut short.
import { isIpv4, printable } from './dhcpd-message.js';

export const MAX_TFTP_FILENAME = 128;

export interface TftpRead {
  ip: string;
  file: string;
}

const RRQ = /^RRQ from (?:::ffff:)?(\S+) filename (.+)$/;

export function parseTftpdMessage(message: string): TftpRead | null {
  const rrq = RRQ.exec(message);
  if (!rrq || !isIpv4(rrq[1])) return null;
  return { ip: rrq[1], file: printable(rrq[2], MAX_TFTP_FILENAME) };
}
