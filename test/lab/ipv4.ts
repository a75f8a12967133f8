// IPv4 arithmetic for the lab's address checks.

export interface Cidr {
  address: string;
  prefix: number;
}

/** The address as a 32-bit unsigned number, or null when it is not dotted-quad IPv4. */
export function ipv4ToNumber(address: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

/** "10.231.0.1/24" → { address, prefix }, or null when malformed. */
export function parseCidr(text: string): Cidr | null {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!m || ipv4ToNumber(m[1]) === null) return null;
  const prefix = Number(m[2]);
  return prefix >= 1 && prefix <= 32 ? { address: m[1], prefix } : null;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function networkOf(c: Cidr): number {
  return ((ipv4ToNumber(c.address) ?? 0) & mask(c.prefix)) >>> 0;
}

export function contains(net: Cidr, address: string): boolean {
  const a = ipv4ToNumber(address);
  return a !== null && ((a & mask(net.prefix)) >>> 0) === networkOf(net);
}

/** Whether two networks share any address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return networkOf({ address: a.address, prefix }) === networkOf({ address: b.address, prefix });
}

export function formatCidr(c: Cidr): string {
  return `${c.address}/${c.prefix}`;
}
