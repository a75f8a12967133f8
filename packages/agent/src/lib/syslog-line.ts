// One line of a syslog file or of `journalctl -o short-iso`: its time, the program
// that wrote it and the message. Formats: RFC 3339 (rsyslog on Debian 12, journalctl
// short-iso) and the traditional "Mmm dd hh:mm:ss" without a year (sysklogd, busybox).

export interface SyslogLine {
  at: Date;
  program: string;
  message: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})?\s+/;
const BSD = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})\s+/;
// "dhcpd[123]:" or "dhcpd:"; a host name and busybox's "daemon.info" may come before it.
const TAG = /^([A-Za-z0-9_./-]{1,64})(?:\[\d{1,10}\])?:$/;

function isoTime(text: string, zone: string | undefined): Date | null {
  // Fractions beyond milliseconds are cut; a zone written "+0000" gets its colon.
  const [whole, fraction] = text.split('.');
  const ms = fraction ? `.${fraction.slice(0, 3).padEnd(3, '0')}` : '';
  const tz = zone === undefined ? '' : zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const at = new Date(`${whole}${ms}${tz}`);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** A yearless time is taken in this year, or last year when that would be in the future. */
function bsdTime(match: RegExpExecArray, now: Date): Date | null {
  const month = MONTHS.indexOf(match[1]);
  if (month === -1) return null;
  const [day, h, m, s] = [2, 3, 4, 5].map((i) => Number(match[i]));
  let at = new Date(now.getFullYear(), month, day, h, m, s);
  if (at.getTime() > now.getTime() + 86_400_000) at = new Date(now.getFullYear() - 1, month, day, h, m, s);
  return Number.isNaN(at.getTime()) || at.getDate() !== day ? null : at;
}

/** The line's time, program and message; null for a line in no known format. */
export function parseSyslogLine(line: string, now: Date = new Date()): SyslogLine | null {
  let at: Date | null;
  let rest: string;
  const iso = ISO.exec(line);
  if (iso) {
    at = isoTime(iso[1], iso[2]);
    rest = line.slice(iso[0].length);
  } else {
    const bsd = BSD.exec(line);
    if (!bsd) return null;
    at = bsdTime(bsd, now);
    rest = line.slice(bsd[0].length);
  }
  if (!at) return null;
  // The tag is one of the first three words.
  let position = 0;
  for (let word = 0; word < 3; word++) {
    const end = rest.indexOf(' ', position);
    const token = end === -1 ? rest.slice(position) : rest.slice(position, end);
    const tag = TAG.exec(token);
    if (tag) return { at, program: tag[1], message: end === -1 ? '' : rest.slice(end + 1) };
    if (end === -1) return null;
    position = end + 1;
  }
  return null;
}
