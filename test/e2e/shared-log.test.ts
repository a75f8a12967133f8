// nfs.sharedLog on a lab master: nfs.json and slave-root.json applied for real, then
// checked from the slaves' side with libnfs. Each slave's /var/log lives on the master
// under /var/log/diskless/<name>, exported to that slave alone and mounted by its fstab.
// One master with two slaves is enough; dhcp.json and the kernels are left out (the
// slaves take their fixed addresses by hand), which keeps the run to a few seconds.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeManagementNetwork, type Lab, labDown, labExec, labUp, masterRootPath, writeLabInventory } from '../lab/index.js';
import { apply, type ApplyReport, ClientScratch, failures, nfsCat, nfsLs, nfsWrite, repoRoot } from './slave-clients.js';

const LAB = 'slog';
const MASTER = 'master-a';
const [A, B] = ['slave21', 'slave22'];

describe('nfs.sharedLog: each slave writes its /var/log to the master (lab)', function () {
  this.timeout(10 * 60_000);
  const scratchDir = mkdtempSync(join(tmpdir(), 'diskless-shared-log-'));
  const clients = new ClientScratch();
  let lab: Lab | undefined;
  let inventoryFile: string;
  let playbook: string;
  let first: ApplyReport;
  let master: { lan: { address: string; prefix: number }; nfs: { mountOptions: string }; slaves: Record<string, { ip: string }> };

  const onDisk = (path: string) => join(masterRootPath(lab!, MASTER), path);
  const logUrl = (slave: string, file = '') => `nfs://${master.lan.address}/var/log/diskless/${slave}${file}`;
  /** The slave's own fixed address on its eth0, as dhcpd would give it. */
  const takeAddress = async (slave: string) => {
    const r = await labExec(lab!, `${MASTER}/${slave}`, ['ip', 'addr', 'replace', `${master.slaves[slave].ip}/${master.lan.prefix}`, 'dev', 'eth0']);
    assert.equal(r.code, 0, r.stderr);
  };

  before(async () => {
    const gateway = await freeManagementNetwork();
    inventoryFile = writeLabInventory(join(repoRoot, 'examples/lab/inventory.json'), scratchDir, gateway, (inv) => {
      delete inv.masters['master-b'];
      const a = inv.masters[MASTER] as any;
      a.nfs.sharedLog = true;
      a.slaves = { [A]: a.slaves[A], [B]: a.slaves[B] };
    });
    master = JSON.parse(readFileSync(inventoryFile, 'utf8')).masters[MASTER];
    playbook = join(scratchDir, 'nfs-slave-root.json');
    writeFileSync(playbook, JSON.stringify(['nfs.json', 'slave-root.json'].map((p) => ({ import_playbook: join(repoRoot, 'playbooks', p) }))));
    await labDown({ name: LAB });
    lab = await labUp({ inventoryFile, name: LAB, managementCidr: `${gateway}/24` });
    first = await apply(playbook, inventoryFile);
    await takeAddress(A);
    await takeAddress(B);
  });

  after(async () => {
    clients.remove();
    await labDown({ name: LAB });
    rmSync(scratchDir, { recursive: true, force: true });
  });

  it('applies nfs.json and slave-root.json without a failure', () => {
    assert.equal(first.code, 0, failures(first));
    assert.equal(first.hosts[MASTER]?.failed, 0, failures(first));
  });

  it('makes one log directory per slave on the master, mode 0755', () => {
    for (const slave of [A, B]) {
      const dir = statSync(onDisk(`var/log/diskless/${slave}`));
      assert.ok(dir.isDirectory(), `${slave}: no /var/log/diskless/${slave}`);
      assert.equal(dir.mode & 0o7777, 0o755, `${slave}: mode ${(dir.mode & 0o7777).toString(8)}`);
    }
  });

  it("mounts the slave's own log directory on /var/log in its fstab", () => {
    for (const slave of [A, B]) {
      const fstab = readFileSync(onDisk(`diskless/${master.slaves[slave].ip}/etc/fstab`), 'utf8');
      const line = fstab.split('\n').filter((l) => /^\S+\s+\/var\/log\s/.test(l));
      assert.deepEqual(line, [`${master.lan.address}:/var/log/diskless/${slave}\t/var/log\tnfs\trw,${master.nfs.mountOptions}\t0 0`], fstab);
    }
  });

  it('lets a slave write into its own log export as root, and the file lands on the master', async () => {
    const name = `/shared-log-${process.pid}.txt`;
    const write = await nfsWrite(lab!, `${MASTER}/${A}`, logUrl(A, name), clients);
    assert.equal(write.refused, false, `${A} could not write to its log export: ${write.text}`);
    const landed = onDisk(`var/log/diskless/${A}${name}`);
    assert.equal(readFileSync(landed, 'utf8'), 'written by a slave\n');
    assert.equal(statSync(landed).uid, 0, 'no_root_squash: root on the slave stays root');
    const v4 = await nfsCat(lab!, `${MASTER}/${A}`, `${logUrl(A, name)}?version=4`);
    assert.equal(v4.text, 'written by a slave\n', `${A} over NFSv4: ${v4.text}`);
  });

  it("refuses another slave's address access to a slave's log export", async () => {
    const list = await nfsLs(lab!, `${MASTER}/${B}`, logUrl(A));
    assert.equal(list.ok, false, `${B} could list ${A}'s logs: ${list.text}`);
    const name = `/intruder-${process.pid}.txt`;
    const write = await nfsWrite(lab!, `${MASTER}/${B}`, logUrl(A, name), clients);
    assert.ok(write.refused, `${B} could write to ${A}'s logs: ${write.text}`);
    assert.equal(existsSync(onDisk(`var/log/diskless/${A}${name}`)), false, `${name} appeared in ${A}'s logs`);
  });

  it('changes nothing on a second apply, and restarts nothing', async () => {
    const again = await apply(playbook, inventoryFile);
    assert.equal(again.code, 0, failures(again));
    const host = again.hosts[MASTER];
    assert.equal(host.changed, 0, `changed: ${host.tasks.filter((t) => t.changed).map((t) => `${t.playbook} / ${t.name}`).join(', ')}`);
    assert.deepEqual(host.tasks.filter((t) => t.handler), [], 'a handler ran');
  });
});
