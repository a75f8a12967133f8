// The benchmark's pure parts: how items split, how runs are summarised, how Ansible's
// recap is read, the inventories it generates and the chart it draws.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { splitItems, equalWorkPlaybook } from '../../bench/lib/equal-work.js';
import { ansibleMasterVars, benchInventory, firstMasters, lanWithNetwork, nfsWithShares, slaveFirmware } from '../../bench/lib/inventory.js';
import { machineBusyS, summarize } from '../../bench/lib/measure.js';
import { parseBenchOptions } from '../../bench/lib/options.js';
import { logAxis, logTicks } from '../../bench/lib/chart.js';
import { type BenchResults, cpuBound, perSlaveMs, scalingChart, slavesChart, type SlaveStep, slaveTable } from '../../bench/lib/report.js';
import { resetScript, SITE_WRITES, SLAVE_KERNEL_FILES } from '../../bench/lib/site.js';
import { ansibleChangedTasks, disklessChangedTasks, disklessFailures, recapChanged } from '../../bench/lib/tools.js';
import { onlySpmMaster, slowestTasks, SPM_MASTER, spmSlave, withSpmMaster } from '../../bench/lib/slaves-per-master.js';
import { needs } from '../needs.js';

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

  it('names the tasks that changed, once per host, handlers included', () => {
    const out = [
      'TASK [Write dhcpd.conf] ***',
      'ok: [m01]',
      'changed: [m02]',
      'TASK [Fill each root] ***',
      "changed: [m01] => (item={'ip': '10.0.0.2'})",
      "changed: [m01] => (item={'ip': '10.0.0.3'})",
      'RUNNING HANDLER [restart dhcpd] ***',
      'changed: [m02]',
    ].join('\n');
    assert.deepEqual(ansibleChangedTasks(out), ['Write dhcpd.conf: m02', 'Fill each root: m01', 'restart dhcpd: m02']);
  });
});

describe("bench: diskless's JSON report", () => {
  const report = {
    hosts: {
      m01: {
        changed: 1,
        tasks: [
          { playbook: 'dhcp', name: 'Write dhcpd.conf', status: 'changed', changed: true },
          { playbook: 'tftp', name: 'Serve /diskless', status: 'ok', changed: false },
          { playbook: 'boot-images', name: 'Refuse Etherboot slaves whose image this master cannot make', status: 'failed', changed: false, msg: 'm01 cannot serve the Etherboot slaves m1s4' },
        ],
      },
      m02: { changed: 0, tasks: [] },
    },
  };

  it('names the tasks that changed, with their playbook and master', () => {
    assert.deepEqual(disklessChangedTasks(report), ['dhcp | Write dhcpd.conf: m01']);
  });

  it('names the failed tasks with their message, and leaves output that is not a report alone', () => {
    assert.equal(disklessFailures(JSON.stringify(report)), 'boot-images | Refuse Etherboot slaves whose image this master cannot make: m01: m01 cannot serve the Etherboot slaves m1s4');
    assert.equal(disklessFailures('error: bad inventory'), 'error: bad inventory');
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

  it('gives the slaves a firmware mix a Debian master serves: no Etherboot, UEFI from the second slave, BIOS from the third', () => {
    const slaves = Object.values(inv.masters.m01.slaves);
    assert.ok(slaves.every((s) => s.boot === 'pxe'), 'Etherboot needs mkelf-linux, which Debian does not package: site.json would fail');
    assert.deepEqual(slaves.map((s) => s.firmware), ['auto', 'uefi', 'bios', 'auto', 'auto', 'uefi', 'bios', 'auto']);
    // The quick mode's two slaves per master still boot two ways.
    assert.deepEqual(Object.values(benchInventory('10.236.7.1', 1, 2).masters.m01.slaves).map((s) => s.firmware), ['auto', 'uefi']);
    assert.equal(slaveFirmware(4), 'auto');
  });

  it('cuts down to the first masters', () => {
    assert.deepEqual(Object.keys(firstMasters(inv, 2).masters), ['m01', 'm02']);
  });

  it("derives a LAN's netmask, network and broadcast as the diskless templates see them", () => {
    const lan = { interface: 'lan0', address: '172.29.3.1', prefix: 26, routers: '172.29.3.1', dns: [] };
    assert.deepEqual(
      { ...lanWithNetwork(lan), interface: undefined, routers: undefined, dns: undefined },
      { address: '172.29.3.1', prefix: 26, netmask: '255.255.255.192', network: '172.29.3.0', broadcast: '172.29.3.63', interface: undefined, routers: undefined, dns: undefined },
    );
    assert.equal(lanWithNetwork({ ...lan, address: '10.100.0.1', prefix: 24 }).broadcast, '10.100.0.255');
  });

  it("gives site.yml each master's slaves as a list in the controller's order (by name, numerically), MACs lowercase", () => {
    const big = benchInventory('10.236.7.1', 1, 12);
    const m01 = big.masters.m01;
    m01.slaves.m1s3.mac = m01.slaves.m1s3.mac.toUpperCase();
    const vars = ansibleMasterVars('m01', { ...m01, slaves: Object.fromEntries(Object.entries(m01.slaves).reverse()) });
    assert.deepEqual(vars.slaves.map((s) => s.name), Array.from({ length: 12 }, (_, i) => `m1s${i + 1}`));
    assert.equal(vars.slaves[2].mac, '02:00:be:00:00:03');
    assert.equal(vars.lan.network, '10.100.0.0');
  });

  it("fills in the controller's slave defaults: boot pxe, firmware (the master's, else auto), interface eth0", () => {
    const m01 = benchInventory('10.236.7.1', 1, 2).masters.m01;
    const plain = { mac: '02:00:BE:00:00:09', ip: '10.100.0.29' };
    const vars = ansibleMasterVars('m01', { ...m01, slaves: { a: plain, b: { ...plain, firmware: 'uefi', interface: 'enp1s0' } } });
    assert.deepEqual(vars.slaves[0], { name: 'a', mac: '02:00:be:00:00:09', ip: '10.100.0.29', boot: 'pxe', firmware: 'auto', interface: 'eth0', interfaceGiven: false });
    assert.deepEqual({ ...vars.slaves[1], name: undefined }, { name: undefined, mac: '02:00:be:00:00:09', ip: '10.100.0.29', boot: 'pxe', firmware: 'uefi', interface: 'enp1s0', interfaceGiven: true });
    assert.equal(ansibleMasterVars('m01', { ...m01, boot: { firmware: 'bios' }, slaves: { a: plain } }).slaves[0].firmware, 'bios');
  });

  it("lists the shared directories as the templates read them: normalised, in the inventory's order, root squashed unless told otherwise", () => {
    const nfs = nfsWithShares({ server: 'ganesha', mountOptions: 'tcp', shared: { '/usr/': 'ro', '/home': 'rw', '/opt': { mode: 'ro', rootSquash: false } } });
    assert.deepEqual(nfs.shares, [
      { path: '/usr', mode: 'ro', rootSquash: true },
      { path: '/home', mode: 'rw', rootSquash: true },
      { path: '/opt', mode: 'ro', rootSquash: false },
    ]);
    assert.deepEqual(nfs.shared, { '/usr': 'ro', '/home': 'rw', '/opt': 'ro' });
  });
});

describe('bench: resetting a master between the site runs', () => {
  // Every file site.yml writes outside /diskless (which the reset empties) and /run (the lab makes it).
  const written = (): string[] => {
    const paths: string[] = [];
    let module = '';
    for (const line of readFileSync(new URL('../../bench/ansible/site.yml', import.meta.url), 'utf8').split('\n')) {
      module = /ansible\.builtin\.(\w+):/.exec(line)?.[1] ?? module;
      const target = /^\s+(dest|path): (\/\S+)$/.exec(line);
      if (target && (target[1] === 'dest' || module === 'file')) paths.push(target[2]);
    }
    return paths.filter((p) => !p.startsWith('/diskless') && !p.startsWith('/run/'));
  };

  it('removes everything site.yml writes on the master', () => {
    const paths = written();
    assert.ok(paths.includes('/etc/dhcp/dhcpd.conf') && paths.length >= 7, `read ${paths.join(', ')}`);
    for (const path of paths) {
      assert.ok(SITE_WRITES.some((w) => path === w || path.startsWith(`${w}/`)), `the reset leaves ${path} behind`);
    }
    assert.ok(SITE_WRITES.includes('/var/lib/diskless'), 'the skeleton');
  });

  it("removes slave-root.json's helper, skeleton and stores (identities, locked passwords, clearing records)", () => {
    const vars = JSON.parse(readFileSync(new URL('../../playbooks/slave-root.json', import.meta.url), 'utf8')).vars as Record<string, unknown>;
    const paths = ['skeleton', 'slave_root_helper', 'identity_dir', 'locked_dir', 'cleared_dir'].map((name) => vars[name]);
    for (const path of paths) {
      assert.equal(typeof path, 'string', `slave-root.json has no var ${String(path)}`);
      assert.ok(SITE_WRITES.some((w) => path === w || (path as string).startsWith(`${w}/`)), `the reset leaves ${String(path)} behind`);
    }
  });

  it("empties /diskless but for the slaves' kernel, and stops the services first", () => {
    const script = resetScript();
    for (const file of SLAVE_KERNEL_FILES) assert.match(script, new RegExp(`! -name ${file.replace('.', '\\.')}`));
    assert.ok(script.indexOf('stop') < script.indexOf('rm -rf'), 'services stop before their files go');
  });
});

describe('bench: options', () => {
  it('runs the site comparison on --masters masters unless told otherwise, on 1 in quick mode', () => {
    assert.equal(parseBenchOptions([]).siteMasters, 2);
    assert.equal(parseBenchOptions(['--masters', '3']).siteMasters, 3);
    assert.equal(parseBenchOptions(['--masters', '3', '--site-masters', '1']).siteMasters, 1);
    assert.equal(parseBenchOptions(['--quick']).siteMasters, 1);
    assert.throws(() => parseBenchOptions(['--site-masters', '0']), /--site-masters must be a positive whole number/);
  });
});

const disklessStep = (wallMs: number, controllerCpuS = 0.5, cpuPerMasterS = 0.4) => ({
  wallMs: summarize([wallMs]),
  controllerPeakRssMb: summarize([100]),
  agentPeakRssMb: null,
  controllerCpuS: summarize([controllerCpuS]),
  cpuPerMasterS: summarize([cpuPerMasterS]),
});

describe('bench: CPU accounting', () => {
  it('reads the busy CPU time from /proc/stat, idle and iowait left out', () => {
    assert.equal(machineBusyS('cpu  100 20 30 5000 70 1 2 3 0 0\ncpu0 1 2 3 4\n'), 1.56);
    const now = machineBusyS();
    assert.ok(now > 0 && machineBusyS() >= now);
  });

  it('gives the CPU floor of the largest scaling step, shared and with a CPU per master', () => {
    const r = { machine: { cpus: 2 }, scaling: [{ masters: 1, diskless: disklessStep(1000, 0.3, 0.5), ansible: null }, { masters: 32, diskless: disklessStep(9000, 2, 0.5), ansible: null }] };
    const text = cpuBound(r as unknown as BenchResults);
    assert.match(text, /at 32 masters the controller used 2\.00 s of CPU and each master 0\.50 s/);
    assert.match(text, /at least 9\.0 s of wall time/); // (2 + 32 × 0.5) / 2
    assert.match(text, /the floor is the larger of the controller's CPU and one master's run, 2\.0 s \(2\.0× the 1-master run\)/);
  });
});

describe('bench: chart', () => {
  it('puts the log-scale ticks at 1, 2 and 5 times the powers of ten in range', () => {
    assert.deepEqual(logTicks(1, 100), [1, 2, 5, 10, 20, 50, 100]);
    assert.deepEqual(logTicks(0.1, 1), [0.1, 0.2, 0.5, 1]);
  });

  it('takes whole decades around the times for the time axis', () => {
    assert.deepEqual(logAxis([2.16, 260.41]), { min: 1, max: 1000 });
    assert.deepEqual(logAxis([0.88, 9.2]), { min: 0.1, max: 10 });
    assert.deepEqual(logAxis([0.05, 0]), { min: 0.01, max: 10 });
  });

  it('draws one line per tool that ran', () => {
    const s = (x: number) => summarize([x]);
    const svg = scalingChart([
      { masters: 1, diskless: { ...disklessStep(900), agentPeakRssMb: 40 }, ansible: { wallMs: s(9000), controllerPeakRssMb: s(50) } },
      { masters: 4, diskless: { ...disklessStep(1000), agentPeakRssMb: 40 }, ansible: null },
    ]);
    assert.match(svg, /^<svg /);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 2);
    assert.equal((svg.match(/<circle /g) ?? []).length, 3);
  });
});

describe('bench: site.yml follows site.json', () => {
  const repoFile = (path: string) => new URL(`../../${path}`, import.meta.url);
  // PyYAML comes with ansible-core, which the benchmark needs anyway.
  const loadYaml = (path: string): unknown => {
    const r = spawnSync('python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)', repoFile(path).pathname], { encoding: 'utf8' });
    return r.status === 0 ? JSON.parse(r.stdout) : undefined;
  };

  it("copies /etc and fills the roots with slave-root.json's own lists", function () {
    const plays = loadYaml('bench/ansible/site.yml') as { name?: string; vars?: Record<string, unknown> }[] | undefined;
    needs(this, plays ? null : 'python3 with PyYAML (Ansible needs it too)');
    const ansible = plays!.find((p) => p.name === 'slave-root')!.vars!;
    const diskless = JSON.parse(readFileSync(repoFile('playbooks/slave-root.json'), 'utf8')).vars as Record<string, unknown>;
    for (const name of ['etc_master_only', 'etc_managed_per_slave', 'ssh_host_key_types', 'password_databases', 'system_dirs', 'stub_dirs', 'skeleton', 'slave_root_helper', 'identity_dir', 'locked_dir', 'cleared_dir']) {
      assert.deepEqual(ansible[name], diskless[name], `site.yml's ${name} differs from slave-root.json's`);
    }
  });

  it("installs diskless's own slave-root helper, its one loop written in Jinja", () => {
    const hbs = readFileSync(repoFile('playbooks/templates/diskless-slave-root.sh.hbs'), 'utf8');
    const j2 = readFileSync(repoFile('bench/ansible/templates/diskless-slave-root.sh.j2'), 'utf8');
    const loop = '{{#each ssh_host_key_types}}{{this}} {{/each}}';
    assert.equal(hbs.split(loop).length, 2, 'the helper template changed: update bench/ansible/templates/diskless-slave-root.sh.j2');
    assert.equal(j2, hbs.replace(loop, '{% for key_type in ssh_host_key_types %}{{ key_type }} {% endfor %}'), 'bench/ansible/templates/diskless-slave-root.sh.j2 is not the helper of playbooks/templates');
  });
});

describe('bench: slaves per master', () => {
  it('gives the step its own master, last, on a /22 with distinct MACs and addresses for 1000 slaves', () => {
    const inventory = withSpmMaster(benchInventory('10.236.7.1', 2, 8), '10.236.7.12', 251);
    assert.deepEqual(Object.keys(inventory.masters), ['m01', 'm02', SPM_MASTER]);
    const slaves = Object.values(inventory.masters[SPM_MASTER].slaves);
    assert.equal(slaves.length, 251);
    assert.equal(new Set(slaves.map((s) => s.mac)).size, 251);
    assert.equal(new Set(slaves.map((s) => s.ip)).size, 251);
    assert.deepEqual(spmSlave(0), ['p1', { mac: '02:00:bf:00:00:00', ip: '10.99.0.20', boot: 'pxe', firmware: 'auto' }]);
    assert.equal(spmSlave(250)[1].ip, '10.99.1.14');
    assert.equal(spmSlave(999)[1].ip, '10.99.3.251');
    assert.throws(() => spmSlave(1000), /room for 1000/);
    assert.deepEqual(Object.keys(onlySpmMaster(inventory).masters), [SPM_MASTER]);
    assert.equal(Object.keys(withSpmMaster(inventory, '10.236.7.12', 3).masters[SPM_MASTER].slaves).length, 3);
  });

  it("sums the report's task times over masters, slowest first", () => {
    const report = {
      hosts: {
        a: { tasks: [{ playbook: 'p', name: 'x', durationMs: 5 }, { playbook: 'p', name: 'y', durationMs: 1 }] },
        b: { tasks: [{ playbook: 'p', name: 'y', durationMs: 7 }] },
      },
    };
    assert.deepEqual(slowestTasks(report, 1), [{ task: 'p | y', ms: 8 }]);
  });

  it('works out the cost of one more slave between the smallest and largest step', () => {
    const step = (slaves: number, ms: number) => ({ slaves, firstMs: summarize([ms]), noopMs: summarize([ms]), addMs: summarize([ms]), removeMs: summarize([ms]), controllerPeakRssMb: 1, agentPeakRssMb: null, slowest: { first: [], noop: [], add: [], remove: [] } });
    assert.equal(perSlaveMs([step(8, 1000), step(64, 1500), step(250, 3420)], 'noopMs'), 10);
    assert.equal(perSlaveMs([step(8, 1000)], 'noopMs'), null);
  });

  it('measures 8, 64 and 250 slaves in full, 2 and 4 in the quick mode', () => {
    assert.deepEqual(parseBenchOptions([]).slaveSteps, [8, 64, 250]);
    assert.deepEqual(parseBenchOptions(['--quick']).slaveSteps, [2, 4]);
    assert.deepEqual(parseBenchOptions(['--steps', 'slaves,equal']).steps, ['equal', 'slaves']);
    assert.throws(() => parseBenchOptions(['--steps', 'boot']), /--steps takes/);
    assert.throws(() => parseBenchOptions(['--slave-steps', '1000']), /999/);
  });
});

/** A step of the slaves-per-master step: each run `ms` times its factor; Ansible's where given. */
const slaveStep = (slaves: number, ms: number, ansible?: [number, number]): SlaveStep => ({
  slaves,
  firstMs: summarize([ms * 8]),
  noopMs: summarize([ms]),
  addMs: summarize([ms * 2]),
  removeMs: summarize([ms * 1.5]),
  controllerPeakRssMb: 100,
  agentPeakRssMb: 60,
  ansible: ansible ? { firstMs: summarize([ansible[0]]), noopMs: summarize([ansible[1]]) } : null,
  slowest: { first: [], noop: [], add: [], remove: [] },
});

/** The chart's lines (name from the legend, by colour, and the points in SVG coordinates), its time ticks and its axes. */
function readChart(svg: string) {
  const names = new Map([...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" fill="([^"]+)">([^<]+)<\/text>/g)].map((m) => [m[1], m[2]]));
  const lines = [...svg.matchAll(/<polyline fill="none" stroke="([^"]+)"[^>]* points="([^"]+)"/g)].map((m) => ({
    name: names.get(m[1]),
    dashed: m[0].includes('stroke-dasharray'),
    points: m[2].split(' ').map((p) => p.split(',').map(Number)),
  }));
  const ticks = [...svg.matchAll(/text-anchor="end">([\d.]+)</g)].map((m) => Number(m[1]));
  const [xAxis, yAxis] = [...svg.matchAll(/<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)" stroke="black"\/>/g)].map((m) => m.slice(1).map(Number));
  return { lines, ticks, left: xAxis[0], right: xAxis[2], bottom: yAxis[1], top: yAxis[3] };
}

describe('bench: slaves per master, chart and table', () => {
  const steps = [slaveStep(8, 2000, [70_000, 60_000]), slaveStep(64, 4000, [200_000, 150_000]), slaveStep(250, 8000)];

  it("draws a line per run, diskless's at every count and Ansible's (dashed) where it ran", () => {
    const chart = readChart(slavesChart(steps));
    assert.deepEqual(
      chart.lines.map((l) => [l.name, l.points.length, l.dashed]),
      [
        ['diskless first run', 3, false],
        ['diskless no-op', 3, false],
        ['diskless add one', 3, false],
        ['diskless remove one', 3, false],
        ['Ansible first run', 2, true],
        ['Ansible no-op', 2, true],
      ],
    );
  });

  it('has a time axis that covers every figure, and every point inside the axes', () => {
    const chart = readChart(slavesChart(steps));
    // From 2 s (diskless's no-op with 8 slaves) to 200 s (Ansible's first run with 64).
    assert.ok(Math.min(...chart.ticks) <= 2 && Math.max(...chart.ticks) >= 200, `ticks ${chart.ticks.join(', ')}`);
    for (const line of chart.lines) {
      for (const [x, y] of line.points) {
        assert.ok(x >= chart.left && x <= chart.right && y <= chart.bottom && y >= chart.top, `${line.name}: point ${x},${y} outside the axes`);
      }
    }
    // The largest count at the right end of the x axis, the highest figure below the top.
    const first = chart.lines[0].points;
    assert.equal(first[first.length - 1][0], chart.right);
    assert.ok(first[first.length - 1][1] > chart.top);
  });

  it('draws no Ansible line when Ansible did not run', () => {
    const chart = readChart(slavesChart([slaveStep(2, 1000), slaveStep(4, 1100)]));
    assert.deepEqual(chart.lines.map((l) => l.name), ['diskless first run', 'diskless no-op', 'diskless add one', 'diskless remove one']);
  });

  it("gives Ansible's figures in their columns, empty where it did not run, and its per-slave cost over its own counts", () => {
    const r = { options: { repeat: 1, ansibleSlavesMax: 64 }, slavesPerMaster: steps } as unknown as BenchResults;
    const rows = slaveTable(r).split('\n');
    assert.ok(rows.includes('| slaves | first run (s) | no-op (s) | add one (s) | remove one (s) | Ansible first (s) | Ansible no-op (s) | controller peak RSS (MB) | agent peak RSS (MB) |'));
    assert.ok(rows.includes('| 64 | 32.00 (32.00–32.00) | 4.00 (4.00–4.00) | 8.00 (8.00–8.00) | 6.00 (6.00–6.00) | 200.00 (200.00–200.00) | 150.00 (150.00–150.00) | 100 | 60 |'));
    assert.ok(rows.includes('| 250 | 64.00 (64.00–64.00) | 8.00 (8.00–8.00) | 16.00 (16.00–16.00) | 12.00 (12.00–12.00) |  |  | 100 | 60 |'));
    // Ansible between 8 and 64 slaves: (200 - 70) s / 56 and (150 - 60) s / 56.
    assert.ok(rows.includes('| per slave (ms) | 198.3 | 24.8 | 49.6 | 37.2 | 2321.4 | 1607.1 | | |'), rows.join('\n'));
    assert.match(slaveTable(r), /up to 64 slaves, bench\/ansible\/site\.yml on the same master/);
    // Results from before Ansible ran in the step have no `ansible` at all.
    const old = { options: { repeat: 1 }, slavesPerMaster: steps.map(({ ansible: _, ...x }) => x) } as unknown as BenchResults;
    assert.match(slaveTable(old), /\| 8 \| [^|]+ \| [^|]+ \| [^|]+ \| [^|]+ \|  \|  \| 100 \| 60 \|/);
    assert.match(slaveTable(old), /Ansible did not run in this step/);
  });

  it('runs Ansible up to 64 slaves in full, never in the quick mode, and takes 0 for never', () => {
    assert.equal(parseBenchOptions([]).ansibleSlavesMax, 64);
    assert.equal(parseBenchOptions(['--quick']).ansibleSlavesMax, 0);
    assert.equal(parseBenchOptions(['--quick', '--ansible-slaves-max', '2']).ansibleSlavesMax, 2);
    assert.equal(parseBenchOptions(['--ansible-slaves-max', '0']).ansibleSlavesMax, 0);
    assert.throws(() => parseBenchOptions(['--ansible-slaves-max=-1']), /--ansible-slaves-max must be a whole number \(0 or more\), got "-1"/);
    assert.throws(() => parseBenchOptions(['--ansible-slaves-max', '2.5']), /--ansible-slaves-max must be a whole number/);
  });
});
