// OpenSSH's ProxyJump syntax: one or more hops separated by commas, each
// [user@]host[:port] or ssh://[user@]host[:port]; an IPv6 address in brackets.
// "none" means no jump host.

export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
  text: string; // the hop as written, for messages
}

const USER = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}';
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]{0,251}[A-Za-z0-9])?';
const IPV6 = '\\[[0-9A-Fa-f:.]{2,45}\\]';
const HOP = new RegExp(`^(?:ssh://)?(?:(${USER})@)?(${NAME}|${IPV6})(?::([0-9]{1,5}))?/?$`);

/** The hops, or a sentence saying what is wrong. */
export function parseProxyJump(text: string): JumpSpec[] | string {
  if (text.trim().toLowerCase() === 'none') return [];
  const hops: JumpSpec[] = [];
  for (const raw of text.split(',')) {
    const hop = raw.trim();
    const match = HOP.exec(hop);
    if (!match) return `jump host ${JSON.stringify(hop)} is not [user@]host[:port]`;
    const [, user, host, portText] = match;
    const port = portText === undefined ? undefined : Number(portText);
    if (port !== undefined && (port < 1 || port > 65535)) return `jump host ${JSON.stringify(hop)} has port ${port}, not 1 to 65535`;
    hops.push({ user, host: host.replace(/^\[(.*)\]$/, '$1'), port, text: hop });
  }
  return hops;
}
