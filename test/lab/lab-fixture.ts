// A lab record as `up` writes it, for tests of what reads one: two masters, three slaves.
import type { Lab } from './state.js';

export const lab: Lab = {
  name: 'dl',
  dir: '/work/.lab/dl',
  inventoryFile: '/work/inventory.json',
  inventoryText: '{}',
  managementCidr: '10.231.0.1/24',
  bridge: 'dl-br',
  masters: ['a', 'b'].map((name, i) => ({
    name,
    netns: `dl-${name}`,
    root: `/work/.lab/dl/masters/${name}/root`,
    sshHost: `10.231.0.1${i + 1}`,
    sshPort: 22,
    pid: 4100 + i,
    managementInterface: 'eth0',
    managementVeth: `dl-m${i}`,
    lan: { interface: 'lan0', address: `192.168.${i + 1}.1`, prefix: 24 },
  })),
  slaves: [
    { name: 's1', master: 'a', netns: 'dl-a-s1', mac: '02:00:00:00:00:01', bridgePort: 'dl-s0' },
    { name: 'twin', master: 'a', netns: 'dl-a-twin', mac: '02:00:00:00:00:02', bridgePort: 'dl-s1' },
    { name: 'twin', master: 'b', netns: 'dl-b-twin', mac: '02:00:00:00:00:03', bridgePort: 'dl-s2' },
  ],
  created: [],
};
