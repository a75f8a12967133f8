// IPv4 arithmetic for LAN checks and for the templates' netmask/network helpers.

/** "192.168.1.21" -> 3232235797; undefined when the text is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((acc, o) => acc * 256 + o, 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

function ipOrThrow(text: string): number {
  const value = parseIpv4(text);
  if (value === undefined) throw new Error(`not an IPv4 address: ${JSON.stringify(text)}`);
  return value;
}

function maskBits(prefix: number): number {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`not a prefix length (0-32): ${prefix}`);
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** 24 -> "255.255.255.0" */
export function netmaskOf(prefix: number): string {
  return formatIpv4(maskBits(prefix));
}

/** ("192.168.1.21", 24) -> "192.168.1.0" */
export function networkOf(ip: string, prefix: number): string {
  return formatIpv4((ipOrThrow(ip) & maskBits(prefix)) >>> 0);
}

/** ("192.168.1.21", 24) -> "192.168.1.255" */
export function broadcastOf(ip: string, prefix: number): string {
  return formatIpv4((ipOrThrow(ip) | ~maskBits(prefix)) >>> 0);
}

export function inSubnet(ip: string, network: string, prefix: number): boolean {
  return networkOf(ip, prefix) === networkOf(network, prefix);
}
