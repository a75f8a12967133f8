import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { parseKernelConfig } from '../lib/kernel-config-text.js';

/** The options the playbooks read; more can be asked for in the facts request. */
export const KERNEL_OPTIONS = [
  'CONFIG_MODULES', 'CONFIG_PACKET', 'CONFIG_UNIX', 'CONFIG_INET', 'CONFIG_IP_MULTICAST', 'CONFIG_NETWORK_FILESYSTEMS',
  'CONFIG_NFSD', 'CONFIG_NFSD_V3', 'CONFIG_NFSD_V4', 'CONFIG_NFS_FS', 'CONFIG_NFS_V3', 'CONFIG_NFS_V4', 'CONFIG_ROOT_NFS',
  'CONFIG_IP_PNP', 'CONFIG_IP_PNP_DHCP', 'CONFIG_NETFILTER', 'CONFIG_NF_NAT', 'CONFIG_IP_NF_IPTABLES', 'CONFIG_E1000', 'CONFIG_E1000E',
];

export interface KernelFacts {
  release: string;
  configPath: string | null;
  config: Record<string, string | null>;
}

export async function gatherKernel(extraOptions: string[] = []): Promise<KernelFacts> {
  const kernelRelease = release();
  const candidates = ['/proc/config.gz', '/usr/src/linux/.config', `/boot/config-${kernelRelease}`];
  for (const configPath of candidates) {
    let text: string;
    try {
      const bytes = await readFile(configPath);
      text = configPath.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    } catch {
      continue;
    }
    const values = parseKernelConfig(text);
    const config = Object.fromEntries([...KERNEL_OPTIONS, ...extraOptions].map((name) => [name, values.get(name) ?? null]));
    return { release: kernelRelease, configPath, config };
  }
  return { release: kernelRelease, configPath: null, config: {} };
}
