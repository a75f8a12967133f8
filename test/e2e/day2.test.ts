// Day 2 on a lab master, with real clients: `discover` lists a machine in no inventory
// that asked for an address (a PXE request with option 93) and `--write` adds it to
// the inventory, after which the master serves it; `status` shows a slave's DHCP, TFTP
// and NFS activity; a hand edit of a managed file shows as pending changes (exit 3).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeManagementNetwork, type Lab, labDown, labPlug, labUnplug, labUp, masterRootPath, writeLabInventory } from '../lab/index.js';
import { waitFor } from '../lab/processes.js';
import { apply, type ApplyReport, ClientScratch, DHCP_CLIENTS, dhcpLease, diskless, failures, repoRoot, tftpGet } from './slave-clients.js';

const LAB = `d2${process.pid % 100000}`;
const MASTER = 'master-a';
const STRANGER_MAC = '02:00:0e:00:00:01';

interface UnknownEntry { mac: string; interface: string | null; vendorClass: string | null; arch: number | null; firstSeen: string; lastSeen: string; count: number }
interface SlaveStatus { dhcp: { at: string; ip: string } | null; tftp: { at: string; files: string[] } | null; nfs: { at: string } | null; booted: { at: string } | null }

const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('day 2: discover, status and drift on a lab master, with real clients', function () {
  this.timeout(8 * 60_000);
  const scratchDir = mkdtempSync(join(tmpdir(), 'diskless-day2-'));
  const clients = new ClientScratch();
  let lab: Lab;
  let gateway: string;
  let inventoryFile: string;
  let playbook: string;
  let first: ApplyReport;
  let nfsHolder: ChildProcess | undefined;

  // The inventory --write grows, beside the first (its key paths are relative).
  const grown = () => join(scratchDir, 'inventory-grown.json');
  const json = async (args: string[]) => {
    const r = await diskless([...args, '--json']);
    try {
      return { code: r.code, doc: JSON.parse(r.stdout), stderr: r.stderr };
    } catch {
      throw new Error(`diskless ${args.join(' ')} exited ${r.code} without JSON:\n${r.stdout}\n${r.stderr}`);
    }
  };

  before(async () => {
    gateway = await freeManagementNetwork();
    inventoryFile = writeLabInventory(join(repoRoot, 'examples/lab/inventory.json'), scratchDir, gateway, (inv) => {
      delete inv.masters['master-b'];
    });
    // DHCP, TFTP and NFS: what a slave asks its master for before its root is needed.
    playbook = join(scratchDir, 'serve.json');
    writeFileSync(playbook, JSON.stringify(['dhcp.json', 'tftp.json', 'nfs.json'].map((p) => ({ import_playbook: join(repoRoot, 'playbooks', p) }))));
    const started = Date.now();
    lab = await labUp({ inventoryFile, name: LAB, managementCidr: `${gateway}/24` });
    first = await apply(playbook, inventoryFile);
    console.log(`      (lab up and first apply in ${Date.now() - started} ms)`);
  });

  after(async () => {
    if (nfsHolder?.pid) nfsHolder.kill();
    clients.remove();
    await labDown({ name: LAB });
    rmSync(scratchDir, { recursive: true, force: true });
  });

  it('applies dhcp, tftp and nfs', () => {
    assert.equal(first.code, 0, failures(first));
  });

  it("lists a PXE machine in no inventory with its vendor class and architecture, and none of the inventory's slaves", async () => {
    await labPlug(lab, MASTER, 'stranger', STRANGER_MAC);
    // A UEFI PXE request (vendor class and option 93 = 7): no address for it.
    assert.equal(await dhcpLease(lab, `${MASTER}/stranger`, DHCP_CLIENTS.uefiPxe, clients), null, 'a machine in no inventory got an address');
    // A slave of the inventory asks too: it must not be listed.
    assert.ok(await dhcpLease(lab, `${MASTER}/slave21`, DHCP_CLIENTS.biosPxe, clients), 'slave21 got no lease');

    const { code, doc } = await json(['discover', '-i', inventoryFile]);
    assert.equal(code, 0, JSON.stringify(doc));
    assert.equal(doc.ok, true);
    const host = doc.hosts[MASTER];
    assert.equal(host.unreachable, false);
    const unknown = host.unknown as UnknownEntry[];
    assert.deepEqual(unknown.map((u) => u.mac), [STRANGER_MAC], JSON.stringify(unknown));
    const [u] = unknown;
    assert.equal(u.interface, 'lan0');
    assert.equal(u.vendorClass, DHCP_CLIENTS.uefiPxe.vendorClass);
    assert.equal(u.arch, 7);
    assert.match(u.firstSeen, isoTime);
    assert.match(u.lastSeen, isoTime);
    assert.ok(u.lastSeen >= u.firstSeen);
    assert.ok(u.count >= 2, `udhcpc asked several times, count ${u.count}`);

    const table = await diskless(['discover', '-i', inventoryFile]);
    assert.equal(table.code, 0);
    assert.match(table.stdout, new RegExp(`^${MASTER}\\s+${STRANGER_MAC}\\s+lan0\\s+PXEClient:Arch:00007:UNDI:003016\\s+7\\s`, 'm'));
  });

  it('--check shows the change and writes nothing; --write adds the machine in place, keeping the rest of the file', async () => {
    const copy = grown();
    copyFileSync(inventoryFile, copy);
    const before = readFileSync(copy, 'utf8');
    const check = await diskless(['discover', '-i', copy, '--check']);
    assert.equal(check.code, 0, check.stderr);
    // The file writes its slaves over several lines: so is the new one.
    assert.match(check.stdout, /^\+\s+"master-a-1": \{\n\+\s+"mac": "02:00:0e:00:00:01",\n\+\s+"ip": "192\.168\.1\.24"$/m);
    assert.match(check.stdout, /--check: 1 slave would be added; nothing written/);
    assert.equal(readFileSync(copy, 'utf8'), before);

    const { code, doc } = await json(['discover', '-i', copy, '--write']);
    assert.equal(code, 0, JSON.stringify(doc));
    assert.deepEqual(doc.changes.slaves, [{ master: MASTER, name: 'master-a-1', mac: STRANGER_MAC, ip: '192.168.1.24' }]);
    assert.equal(doc.changes.written, true);
    const after = readFileSync(copy, 'utf8');
    // The untouched parts: without the inserted text (a comma and the new entry), the file is as it was.
    assert.equal(after.replace(/,\n\s+"master-a-1": \{[^}]*\}/, ''), before, 'more than the new slave was changed');
    assert.deepEqual(JSON.parse(after).masters[MASTER].slaves['master-a-1'], { mac: STRANGER_MAC, ip: '192.168.1.24' });
  });

  it('the lab follows the grown inventory and apply serves the new slave its address', async () => {
    const copy = grown();
    await labUnplug(lab, `${MASTER}/stranger`);
    lab = await labUp({ inventoryFile: copy, name: LAB, managementCidr: `${gateway}/24` });
    const r = await apply(playbook, copy);
    assert.equal(r.code, 0, failures(r));
    const lease = await dhcpLease(lab, `${MASTER}/master-a-1`, DHCP_CLIENTS.uefiPxe, clients);
    assert.equal(lease?.ip, '192.168.1.24');
    const { code, doc } = await json(['discover', '-i', copy]);
    assert.equal(code, 0);
    assert.deepEqual(doc.hosts[MASTER].unknown, [], 'a slave of the inventory is listed');
  });

  it("status shows a slave's DHCP answer, TFTP files and NFS connection with their times, and nulls for a slave that did nothing", async () => {
    // Syslog times have whole seconds: --since a little before the requests below.
    const since = new Date(Date.now() - 3000).toISOString();
    const lease = await dhcpLease(lab, `${MASTER}/slave21`, DHCP_CLIENTS.biosPxe, clients);
    assert.equal(lease?.ip, '192.168.1.21');
    assert.ok(await tftpGet(lab, `${MASTER}/slave21`, '192.168.1.1', 'pxelinux.0', clients), 'slave21 could not fetch pxelinux.0');
    // An NFS client's TCP connection to the master's port 2049, held open from the slave.
    const netns = lab.slaves.find((s) => s.master === MASTER && s.name === 'slave21')!.netns;
    nfsHolder = spawn('ip', ['netns', 'exec', netns, 'bash', '-c', 'exec 3<>/dev/tcp/192.168.1.1/2049 && echo open && exec sleep 60'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let opened = false;
    nfsHolder.stdout!.on('data', () => (opened = true));
    assert.ok(await waitFor(() => opened, 10_000), 'no TCP connection to 2049 from slave21');
    // The slave's boot script leaves its report in its root (written here as it would).
    const report = join(masterRootPath(lab, MASTER), 'diskless/192.168.1.23/var/lib/diskless');
    mkdirSync(report, { recursive: true });
    writeFileSync(join(report, 'booted'), `${new Date().toISOString()}\n`);

    try {
      const { code, doc } = await json(['status', '-i', grown(), '--since', since]);
      assert.equal(code, 0, JSON.stringify(doc));
      const slaves = doc.hosts[MASTER].slaves as Record<string, SlaveStatus>;
      const s21 = slaves.slave21;
      assert.equal(s21.dhcp?.ip, '192.168.1.21');
      assert.match(s21.dhcp!.at, isoTime);
      assert.ok(Date.parse(s21.dhcp!.at) >= Date.parse(since) - 1000, `${s21.dhcp!.at} is before --since ${since}`);
      assert.ok(s21.tftp?.files.includes('pxelinux.0'), JSON.stringify(s21.tftp));
      assert.match(s21.tftp!.at, isoTime);
      assert.match(s21.nfs?.at ?? '', isoTime);
      assert.equal(s21.booted, null);
      assert.deepEqual(slaves.slave22, { dhcp: null, tftp: null, nfs: null, booted: null });
      assert.match(slaves.slave23.booted?.at ?? '', isoTime);
      assert.equal(slaves.slave23.dhcp, null);

      const table = await diskless(['status', '-i', grown()]);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^MASTER\s+SLAVE\s+DHCP\s+TFTP\s+NFS\s+BOOTED$/m);
      assert.match(table.stdout, /^master-a\s+slave21\s+(now|\d+s ago) 192\.168\.1\.21\s+(now|\d+s ago) \S*pxelinux\.0\S*\s+mounted\s+-$/m);
    } finally {
      nfsHolder.kill();
    }
  });

  it('a hand edit of a managed file makes apply --check --detailed-exitcode exit 3 naming the task; after apply it exits 0', async () => {
    const settled = await apply(playbook, grown(), ['--check', '--detailed-exitcode']);
    assert.equal(settled.code, 0, `nothing is pending before the edit: ${failures(settled)}`);
    appendFileSync(join(masterRootPath(lab, MASTER), 'etc/dhcp/dhcpd.conf'), '# edited by hand\n');
    const drift = await apply(playbook, grown(), ['--check', '--detailed-exitcode']);
    assert.equal(drift.code, 3, failures(drift));
    const changed = drift.hosts[MASTER].tasks.filter((t) => t.changed).map((t) => t.name);
    assert.ok(changed.includes('Write dhcpd.conf'), `changed tasks: ${changed.join(', ')}`);
    const fixed = await apply(playbook, grown());
    assert.equal(fixed.code, 0, failures(fixed));
    const clean = await apply(playbook, grown(), ['--check', '--detailed-exitcode']);
    assert.equal(clean.code, 0, failures(clean));
  });
});
