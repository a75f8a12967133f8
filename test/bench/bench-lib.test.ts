// The benchmark's pure parts: how items split, how runs are summarised, how Ansible's
// recap is read, the inventories it generates and the chart it draws.
import assert from 'node:assert/strict';
import { splitItems, equalWorkPlaybook } from '../../bench/lib/equal-work.js';
import { benchInventory, firstMasters } from '../../bench/lib/inventory.js';
import { summarize } from '../../bench/lib/measure.js';
import { scalingChart } from '../../bench/lib/report.js';
import { recapChanged } from '../../bench/lib/tools.js';

describe('bench: equal work', () => {
  it('splits N items into files, directories and links that add up to N', () => {
    assert.deepEqual(splitItems(50), { files: 17, dirs: 17, links: 16 });
    assert.deepEqual(splitItems(10), { files: 4, dirs: 3, links: 3 });
    assert.throws(() => splitItems(2), /at least 3/);
  });

  it('loops over as many items as the split gives', () => {
    const tasks = equalWorkPlaybook(10, '/var/tmp/w').tasks as { loop?: number[] }[];
    assert.deepEqual(tasks.map((t) => t.loop?.length ?? 1), [1, 4, 3, 3]);
  });
});

describe('bench: summaries', () => {
  it('takes the median of odd and even counts, with min and max', () => {
    assert.deepEqual({ ...summarize([3, 1, 2]), samples: [] }, { median: 2, min: 1, max: 3, samples: [] });
    assert.equal(summarize([4, 1, 2, 3]).median, 2.5);
    assert.throws(() => summarize([]), /no samples/);
  });
});

describe("bench: Ansible's recap", () => {
  it('reads changed= for every host of the last PLAY RECAP', () => {
    const out = `PLAY [x] ***\n\nPLAY RECAP *****\nm01                        : ok=4    changed=3    unreachable=0    failed=0\nm02 : ok=4 changed=0 unreachable=0 failed=0\n`;
    assert.deepEqual(recapChanged(out), [3, 0]);
    assert.deepEqual(recapChanged('ERROR! no play'), []);
  });
});

describe('bench: inventories', () => {
  const inv = benchInventory('10.236.7.1', 3, 8);

  it('puts every master on the management network, each slave on its own master LAN, MACs unique', () => {
    const masters = Object.values(inv.masters);
    assert.deepEqual(masters.map((m) => m.ssh.host), ['10.236.7.10', '10.236.7.11', '10.236.7.12']);
    const macs = masters.flatMap((m) => Object.values(m.slaves).map((s) => s.mac));
    assert.equal(new Set(macs).size, 24);
    for (const m of masters) {
      const net = m.lan.address.split('.').slice(0, 3).join('.');
      for (const s of Object.values(m.slaves)) assert.equal(s.ip.split('.').slice(0, 3).join('.'), net);
    }
  });

  it('cuts down to the first masters', () => {
    assert.deepEqual(Object.keys(firstMasters(inv, 2).masters), ['m01', 'm02']);
  });
});

describe('bench: chart', () => {
  it('draws one line per tool that ran', () => {
    const s = (x: number) => summarize([x]);
    const svg = scalingChart([
      { masters: 1, diskless: { wallMs: s(900), controllerPeakRssMb: s(100), agentPeakRssMb: 40 }, ansible: { wallMs: s(9000), controllerPeakRssMb: s(50) } },
      { masters: 4, diskless: { wallMs: s(1000), controllerPeakRssMb: s(100), agentPeakRssMb: 40 }, ansible: null },
    ]);
    assert.match(svg, /^<svg /);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 2);
    assert.equal((svg.match(/<circle /g) ?? []).length, 3);
  });
});
