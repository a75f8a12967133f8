import { networkInterfaces } from 'node:os';
import { readdir, readFile } from 'node:fs/promises';

export interface InterfaceFacts {
  name: string;
  mac: string | null;
  ipv4: { address: string; prefix: number }[];
  up: boolean;
  multicast: boolean;
}

const IFF_UP = 0x1;
const IFF_MULTICAST = 0x1000;

/** Interfaces from /sys/class/net (flags, MAC) joined with the IPv4 addresses Node sees. */
export async function gatherInterfaces(sysNet = '/sys/class/net'): Promise<InterfaceFacts[]> {
  const addresses = networkInterfaces();
  const names = await readdir(sysNet).catch(() => Object.keys(addresses));
  const read = (name: string, file: string): Promise<string | null> =>
    readFile(`${sysNet}/${name}/${file}`, 'utf8').then((s) => s.trim(), () => null);
  return Promise.all(
    names.sort().map(async (name) => {
      const flags = parseInt((await read(name, 'flags')) ?? '0', 16);
      const mac = await read(name, 'address');
      return {
        name,
        mac: mac && mac !== '00:00:00:00:00:00' ? mac.toLowerCase() : null,
        ipv4: (addresses[name] ?? []).filter((a) => a.family === 'IPv4').map((a) => ({ address: a.address, prefix: Number(a.cidr?.split('/')[1] ?? 32) })),
        up: (flags & IFF_UP) !== 0,
        multicast: (flags & IFF_MULTICAST) !== 0,
      };
    }),
  );
}
