import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { discoverHosts, formatDiscoverTable, macsToAdd } from '../../../packages/controller/src/day2/discover.js';
import { addSlaves, formattingOf, planInventoryChange, writeInventoryChange } from '../../../packages/controller/src/inventory/edit-inventory.js';
import { planNewSlaves } from '../../../packages/controller/src/day2/new-slaves.js';
import { formatStatusTable, statusHosts } from '../../../packages/controller/src/day2/status.js';
import { age, parseSince } from '../../../packages/controller/src/day2/time-text.js';
import { loadInventory } from '../../../packages/controller/src/inventory/load-inventory.js';
import type { Inventory } from '../../../packages/controller/src/types.js';

const repo = resolve(import.meta.dirname, '../../..');
const example = join(repo, 'examples/lab/inventory.json');
const cli = (args: string[]) => spawnSync(process.execPath, [join(repo, 'packages/controller/bin/run.js'), ...args], { encoding: 'utf8' });

describe('controller: day 2 (discover, status)', () => {
  let dir: string;
  let inventory: Inventory;
  const home = process.env.HOME;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'day2-'));
    // The example names the lab's key under ~/.ssh, which only a lab run makes: a home of its own holds a stand-in.
    mkdirSync(join(dir, 'home/.ssh'), { recursive: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'home/.ssh/diskless_lab_ed25519')]);
    process.env.HOME = join(dir, 'home');
    inventory = await loadInventory(example);
  });
  after(() => {
    process.env.HOME = home;
    rmSync(dir, { recursive: true, force: true });
  });

  describe('new slaves', () => {
    it("takes the master's next free addresses after its highest slave, and the next free names", () => {
      const planned = planNewSlaves(inventory, { 'master-a': ['02:00:0e:00:00:01', '02:00:0e:00:00:02'], 'master-b': ['02:00:0e:00:00:03'] }, '<master>-<n>');
      assert.deepEqual(planned, [
        { master: 'master-a', name: 'master-a-1', mac: '02:00:0e:00:00:01', ip: '192.168.1.24' },
        { master: 'master-a', name: 'master-a-2', mac: '02:00:0e:00:00:02', ip: '192.168.1.25' },
        { master: 'master-b', name: 'master-b-1', mac: '02:00:0e:00:00:03', ip: '192.168.2.34' },
      ]);
    });

    it('skips names already taken and wraps round to the start of a full LAN', async () => {
      const small = structuredClone(inventory);
      const a = small.masters[0];
      a.lan = { ...a.lan, prefix: 27, network: '192.168.1.0', broadcast: '192.168.1.31', netmask: '255.255.255.224' };
      a.slaves = [...a.slaves, { ...a.slaves[0], name: 'node1', ip: '192.168.1.30' }];
      const planned = planNewSlaves(small, { 'master-a': ['02:00:0e:00:00:01'] }, 'node<n>');
      // .1 is the master, its router and DNS server.
      assert.deepEqual(planned.map((s) => [s.name, s.ip]), [['node2', '192.168.1.2']]);
    });

    it('refuses a pattern without <n>, or one that makes no host name', () => {
      assert.throws(() => planNewSlaves(inventory, {}, 'fixed'), /--name-pattern "fixed" has no <n>/);
      assert.throws(() => planNewSlaves(inventory, {}, '../<n>'), /not host names/);
    });

    it('says when a LAN has no address left', () => {
      const full = structuredClone(inventory);
      const a = full.masters[0];
      a.lan = { ...a.lan, prefix: 30, network: '192.168.1.0', broadcast: '192.168.1.3', netmask: '255.255.255.252' };
      a.slaves = [{ ...a.slaves[0], ip: '192.168.1.2' }];
      assert.throws(() => planNewSlaves(full, { 'master-a': ['02:00:0e:00:00:01'] }, 'n<n>'), /master master-a: no free address left on its LAN 192\.168\.1\.0\/30/);
    });
  });

  describe('inventory edit', () => {
    it('adds slaves in place, as the file writes them: every other line is kept as it was', () => {
      const before = readFileSync(example, 'utf8');
      const after = addSlaves(before, [{ master: 'master-a', name: 'master-a-1', mac: '02:00:0e:00:00:01', ip: '192.168.1.24' }]);
      const lines = after.split('\n');
      const removed = before.split('\n').filter((l) => !lines.includes(l));
      // Only the line of the last slave changes: it gains a comma.
      assert.deepEqual(removed.map((l) => l.trim()), ['"slave23": { "mac": "02:00:0a:01:00:23", "ip": "192.168.1.23", "boot": "pxe", "services": ["ssh", "cron"] }']);
      assert.match(after, /\n(\s+)"slave23": \{[^\n]*\},\n\1"master-a-1": \{ "mac": "02:00:0e:00:00:01", "ip": "192\.168\.1\.24" \}\n/);
      assert.equal(lines.length, before.split('\n').length + 1);
      assert.deepEqual(JSON.parse(after).masters['master-a'].slaves['master-a-1'], { mac: '02:00:0e:00:00:01', ip: '192.168.1.24' });
    });

    it('writes a slave over several lines after one written so, and makes "slaves" when there is none', () => {
      const multi = '{\n    "masters": {\n        "m": {\n            "slaves": {\n                "a": {\n                    "mac": "02:00:00:00:00:01"\n                }\n            }\n        }\n    }\n}\n';
      const after = addSlaves(multi, [{ master: 'm', name: 'b', mac: '02:00:00:00:00:02', ip: '10.0.0.2' }]);
      assert.ok(after.startsWith(multi.slice(0, multi.indexOf('                }\n') + 17)));
      assert.match(after, /\},\n {16}"b": \{\n {20}"mac": "02:00:00:00:00:02",\n {20}"ip": "10\.0\.0\.2"\n {16}\}\n/);
      const none = addSlaves('{\n  "masters": {\n    "m": {}\n  }\n}\n', [{ master: 'm', name: 'b', mac: '02:00:00:00:00:02', ip: '10.0.0.2' }]);
      assert.deepEqual(JSON.parse(none).masters.m.slaves, { b: { mac: '02:00:00:00:00:02', ip: '10.0.0.2' } });
    });

    it("follows the file's indentation and line ends", () => {
      assert.deepEqual(formattingOf('{\n\t"a": 1\n}'), { insertSpaces: false, tabSize: 1, eol: '\n' });
      assert.deepEqual(formattingOf('{\r\n    "a": 1\r\n}'), { insertSpaces: true, tabSize: 4, eol: '\r\n' });
    });

    it('shows a unified diff, and writes the file atomically with its mode kept', async () => {
      const file = join(dir, 'inventory.json');
      writeFileSync(file, readFileSync(example));
      chmodSync(file, 0o640);
      const change = await planInventoryChange(file, (text) => addSlaves(text, [{ master: 'master-b', name: 'new1', mac: '02:00:0e:00:00:09', ip: '192.168.2.40' }]));
      assert.match(change.diff, /^--- .*inventory\.json\s*\n\+\+\+ .*inventory\.json\s*\n@@ /m);
      assert.match(change.diff, /^\+\s+"new1": \{ "mac": "02:00:0e:00:00:09", "ip": "192\.168\.2\.40" \}$/m);
      await writeInventoryChange(change);
      assert.equal(readFileSync(file, 'utf8'), change.after);
      assert.equal(statSync(file).mode & 0o777, 0o640);
      const reloaded = await loadInventory(file);
      assert.ok(reloaded.masters[1].slaves.some((s) => s.name === 'new1' && s.ip === '192.168.2.40'));
    });

    it('leaves the file alone when the new text is no valid inventory', async () => {
      const file = join(dir, 'inventory-bad.json');
      writeFileSync(file, readFileSync(example));
      const change = await planInventoryChange(file, (text) => addSlaves(text, [{ master: 'master-a', name: 'clash', mac: '02:00:0a:01:00:21', ip: '192.168.1.21' }]));
      await assert.rejects(writeInventoryChange(change));
      assert.equal(readFileSync(file, 'utf8'), readFileSync(example, 'utf8'));
    });
  });

  describe('reports', () => {
    it('never lists a slave of the inventory, and adds each MAC under one master only', () => {
      const u = (mac: string) => ({ mac, interface: 'lan0', vendorClass: 'PXEClient', arch: 0, firstSeen: '2026-11-30T07:00:00Z', lastSeen: '2026-11-30T07:01:00Z', count: 2 });
      const hosts = discoverHosts(inventory, {
        'master-a': { unreachable: false, data: { unknown: [u('02:00:0a:01:00:21'), u('02:00:0e:00:00:01')] } },
        'master-b': { unreachable: false, data: { unknown: [u('02:00:0e:00:00:01')] } },
      });
      assert.deepEqual(hosts['master-a'].unknown.map((x) => x.mac), ['02:00:0e:00:00:01']);
      assert.deepEqual(macsToAdd(hosts), { 'master-a': ['02:00:0e:00:00:01'] });
      const table = formatDiscoverTable(hosts, Date.parse('2026-11-30T07:05:00Z'));
      assert.match(table, /^MASTER\s+MAC\s+INTERFACE\s+VENDOR CLASS\s+ARCH\s+FIRST SEEN\s+LAST SEEN\s+REQUESTS$/m);
      assert.match(table, /^master-a\s+02:00:0e:00:00:01\s+lan0\s+PXEClient\s+0\s+5m ago\s+4m ago\s+2$/m);
    });

    it("status keeps the inventory's slaves with all four keys, and an unreachable master with none", () => {
      const [a, b] = inventory.masters;
      const hosts = statusHosts(inventory.masters, {
        'master-a': { unreachable: false, data: { slaves: { slave21: { dhcp: { at: '2026-11-30T07:00:00Z', ip: '192.168.1.21' }, tftp: { at: '2026-11-30T07:00:01Z', files: ['pxelinux.0'] }, nfs: { at: '2026-11-30T07:05:00Z' }, booted: null }, intruder: {} } } },
        'master-b': { unreachable: true, msg: 'connection refused' },
      });
      assert.deepEqual(Object.keys(hosts['master-a'].slaves), a.slaves.map((s) => s.name));
      assert.deepEqual(hosts['master-a'].slaves.slave22, { dhcp: null, tftp: null, nfs: null, booted: null });
      assert.deepEqual(hosts['master-b'], { unreachable: true, msg: 'connection refused', slaves: {} });
      assert.equal(b.name, 'master-b');
      const table = formatStatusTable(hosts, Date.parse('2026-11-30T07:05:00Z'));
      assert.match(table, /^master-a\s+slave21\s+5m ago 192\.168\.1\.21\s+4m ago pxelinux\.0\s+mounted\s+-$/m);
      assert.match(table, /^master-a\s+slave22\s+-\s+-\s+-\s+-$/m);
    });

    it('reads --since as a duration or a time, and shows ages', () => {
      const now = Date.parse('2026-11-30T08:00:00Z');
      assert.equal(parseSince('1h', now), Date.parse('2026-11-30T07:00:00Z'));
      assert.equal(parseSince('90s', now), now - 90_000);
      assert.equal(parseSince('2026-11-30T07:30:00Z', now), Date.parse('2026-11-30T07:30:00Z'));
      for (const bad of ['', '1', 'h', '-1h', '1w', 'yesterday', '2026-11-30T07:30:00Z; rm']) assert.throws(() => parseSince(bad, now), /--since/);
      assert.equal(age('2026-11-30T07:59:30Z', now), '30s ago');
      assert.equal(age('2026-11-28T07:00:00Z', now), '2d ago');
      assert.equal(age(null, now), '-');
    });
  });

  describe('command line', () => {
    it('refuses bad flags before connecting: exit 1 and one clear message', function () {
      this.timeout(90_000);
      const pattern = cli(['discover', '-i', example, '--check', '--name-pattern', 'x']);
      assert.equal(pattern.status, 1);
      assert.match(pattern.stderr, /^error: --name-pattern "x" has no <n>/);
      const both = cli(['discover', '-i', example, '--check', '--write']);
      assert.equal(both.status, 1);
      assert.match(both.stderr, /--write.*--check|--check.*--write/);
      const since = cli(['status', '-i', example, '--since', 'soon', '--json']);
      assert.equal(since.status, 1);
      assert.equal(JSON.parse(since.stdout).ok, false);
      const limit = cli(['status', '-i', example, '--limit', 'nope']);
      assert.equal(limit.status, 1);
      assert.match(limit.stderr, /nope/);
    });
  });
});
