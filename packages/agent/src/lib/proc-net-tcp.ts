// Established TCP connections to a local port, from /proc/net/tcp and tcp6 text: the
// remote IPv4 addresses (an IPv6 socket shows them mapped, ::ffff:a.b.c.d).
const ESTABLISHED = '01';

function ipv4FromHex(hex: string): string | null {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return null;
  // The kernel prints the address as a host-order 32-bit number (little-endian here).
  const bytes = [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return bytes.join('.');
}

function ipv4FromHex6(hex: string): string | null {
  if (!/^[0-9A-Fa-f]{32}$/.test(hex)) return null;
  // Four host-order words: ::ffff:a.b.c.d prints as 0, 0, FFFF0000, then the address.
  if (hex.slice(0, 16) !== '0000000000000000' || hex.slice(16, 24).toUpperCase() !== 'FFFF0000') return null;
  return ipv4FromHex(hex.slice(24));
}

/** Remote IPv4 addresses with an established connection to local `port`. */
export function establishedPeers(procNetTcp: string, port: number): string[] {
  const peers: string[] = [];
  for (const line of procNetTcp.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[3] !== ESTABLISHED) continue;
    const [localAddress, localPort] = fields[1].split(':');
    const [remoteAddress] = fields[2].split(':');
    if (parseInt(localPort, 16) !== port || localAddress === undefined) continue;
    const ip = remoteAddress.length === 32 ? ipv4FromHex6(remoteAddress) : ipv4FromHex(remoteAddress);
    if (ip) peers.push(ip);
  }
  return peers;
}
