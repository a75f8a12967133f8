// Each slave root its own identity, never the master's secrets: site.json applied to a
// lab master with two slaves, one of whose roots (and the skeleton) an earlier version of
// the playbook had filled with the master's whole /etc, host key, shadow and machine-id
// included, plus a temp file of an interrupted write. Checked on the master's disk and,
// for the keys, over NFS from the slaves' side.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeManagementNetwork, type Lab, labDown, labExec, labUp, masterRootPath, writeLabInventory } from '../lab/index.js';
import { apply, type ApplyReport, failures, nfsCat, repoRoot } from './slave-clients.js';

const LAB = 'sident';
const MASTER = 'master-a';
const [A, B] = ['slave21', 'slave23'];
const KEYS = ['rsa', 'ecdsa', 'ed25519'].flatMap((type) => [`ssh_host_${type}_key`, `ssh_host_${type}_key.pub`]);
// A password hash planted in the master's shadow, so that its absence from the slaves proves something.
const ROOT_HASH = '$6$disklesstest$aGFzaC1vZi10aGUtbWFzdGVycy1yb290LXBhc3N3b3Jk';

describe("slave identity: each slave root gets its own, and none of the master's secrets (lab)", function () {
  this.timeout(15 * 60_000);
  const scratchDir = mkdtempSync(join(tmpdir(), 'diskless-slave-identity-'));
  const site = join(repoRoot, 'playbooks/site.json');
  let lab: Lab | undefined;
  let inventoryFile: string;
  let master: { lan: { address: string; prefix: number }; slaves: Record<string, { ip: string }> };
  let first: ApplyReport;

  const onDisk = (path: string) => join(masterRootPath(lab!, MASTER), path);
  const read = (path: string) => readFileSync(onDisk(path), 'utf8');
  const rootOf = (slave: string) => `diskless/${master.slaves[slave].ip}`;
  const onMaster = async (script: string) => {
    const r = await labExec(lab!, MASTER, ['sh', '-ec', script]);
    assert.equal(r.code, 0, r.stderr);
  };
  const changedTasks = (r: ApplyReport) => r.hosts[MASTER].tasks.filter((t) => t.changed).map((t) => `${t.playbook} / ${t.name}`);

  before(async () => {
    const gateway = await freeManagementNetwork();
    inventoryFile = writeLabInventory(join(repoRoot, 'examples/lab/inventory.json'), scratchDir, gateway, (inv) => {
      delete inv.masters['master-b'];
      const a = inv.masters[MASTER] as any;
      a.slaves = { [A]: a.slaves[A], [B]: a.slaves[B] };
    });
    master = JSON.parse(readFileSync(inventoryFile, 'utf8')).masters[MASTER];
    await labDown({ name: LAB });
    lab = await labUp({ inventoryFile, name: LAB, managementCidr: `${gateway}/24` });
    // The master's root password gets a hash; A's root and the skeleton are as an earlier
    // version of the playbook left them: the master's /etc copied in as rsync -a copies.
    const root = `/${rootOf(A)}`;
    await onMaster(`
      sed -i 's|^root:[^:]*:|root:${ROOT_HASH}:|' /etc/shadow
      for etc in ${root}/etc /var/lib/diskless/skeleton/etc; do mkdir -p $etc; cp -a /etc/. $etc/; done
      echo half-written > ${root}/etc/.x.diskless-abc.tmp
    `);
    first = await apply(site, inventoryFile);
  });

  after(async () => {
    await labDown({ name: LAB });
    rmSync(scratchDir, { recursive: true, force: true });
  });

  it('applies site.json without a failure', () => {
    assert.equal(first.code, 0, failures(first));
    assert.equal(first.hosts[MASTER]?.failed, 0, failures(first));
  });

  it("gives each slave SSH host keys of its own, private and public, none of them the master's", () => {
    // A public key is its type and key, whatever its comment says.
    const material = (text: string) => (text.startsWith('-----') ? text : text.split(' ').slice(0, 2).join(' '));
    const masters = ['etc/ssh/ssh_host_ed25519_key', 'etc/ssh/ssh_host_ed25519_key.pub'].map((path) => material(read(path)));
    const seen = new Map<string, string>();
    for (const slave of [A, B]) {
      for (const key of KEYS) {
        const path = `${rootOf(slave)}/etc/ssh/${key}`;
        const content = read(path);
        assert.ok(!masters.includes(material(content)), `${path} is the master's`);
        assert.equal(seen.get(material(content)), undefined, `${path} is also ${seen.get(material(content))}`);
        seen.set(material(content), path);
        assert.equal(statSync(onDisk(path)).mode & 0o777, key.endsWith('.pub') ? 0o644 : 0o600, path);
        assert.equal(content, read(`var/lib/diskless/identity/${slave}/etc/ssh/${key}`), `${path}: not the one kept for ${slave}`);
      }
    }
    assert.equal(statSync(onDisk('var/lib/diskless/identity')).mode & 0o7777, 0o700, 'the key store is not root-only');
  });

  it("gives each slave a machine-id of its own, not the master's", () => {
    const ids = [A, B].map((slave) => read(`${rootOf(slave)}/etc/machine-id`));
    for (const id of ids) assert.match(id, /^[0-9a-f]{32}\n$/);
    assert.notEqual(ids[0], ids[1]);
    assert.ok(!ids.includes(read('etc/machine-id')), "a slave has the master's machine-id");
  });

  it("locks every password in the slaves' shadow: the master's hashes stay on the master", () => {
    const users = (text: string) => text.split('\n').filter(Boolean).map((l) => l.split(':')[0]);
    assert.ok(read('etc/shadow').includes(ROOT_HASH));
    for (const path of [`${rootOf(A)}/etc/shadow`, `${rootOf(B)}/etc/shadow`, 'var/lib/diskless/skeleton/etc/shadow']) {
      const shadow = read(path);
      assert.ok(!shadow.includes('$'), `${path} holds a password hash`);
      assert.match(shadow, /^root:\*:/m, path);
      assert.deepEqual(users(shadow), users(read('etc/shadow')), `${path}: not the master's accounts`);
      assert.equal(statSync(onDisk(path)).mode & 0o7777, statSync(onDisk('etc/shadow')).mode & 0o7777, path);
    }
    for (const slave of [A, B]) assert.ok(!read(`${rootOf(slave)}/etc/gshadow`).includes('$'), `${slave}: gshadow holds a hash`);
  });

  it('removes from a root and the skeleton what an earlier run had copied, and never copies it into another', () => {
    assert.equal(existsSync(onDisk(`${rootOf(A)}/etc/.x.diskless-abc.tmp`)), false, 'the temp file is still there');
    assert.deepEqual(readdirSync(onDisk('var/lib/diskless/skeleton/etc/ssh')).filter((f) => f.startsWith('ssh_host_')), [], "the skeleton holds the master's host keys");
    assert.equal(existsSync(onDisk('var/lib/diskless/skeleton/etc/machine-id')), false, "the skeleton holds the master's machine-id");
    for (const where of [rootOf(A), rootOf(B), 'var/lib/diskless/skeleton']) {
      for (const file of ['shadow-', 'gshadow-', 'dhcp/dhcpd.conf', 'ganesha', 'rc2.d/S01isc-dhcp-server']) {
        assert.ok(existsSync(onDisk(`etc/${file}`)), `the master has no /etc/${file}: this proves nothing`);
        assert.equal(existsSync(onDisk(`${where}/etc/${file}`)), false, `${where} holds the master's /etc/${file}`);
      }
    }
  });

  it("lets a slave read its own private key over NFS, and not another slave's", async () => {
    for (const slave of [A, B]) {
      const r = await labExec(lab!, `${MASTER}/${slave}`, ['ip', 'addr', 'replace', `${master.slaves[slave].ip}/${master.lan.prefix}`, 'dev', 'eth0']);
      assert.equal(r.code, 0, r.stderr);
    }
    const url = (slave: string) => `nfs://${master.lan.address}/${rootOf(slave)}/etc/ssh/ssh_host_ed25519_key`;
    const own = await nfsCat(lab!, `${MASTER}/${A}`, url(A));
    assert.equal(own.text, read(`${rootOf(A)}/etc/ssh/ssh_host_ed25519_key`), own.text);
    const other = await nfsCat(lab!, `${MASTER}/${B}`, url(A));
    assert.equal(other.ok, false, `${B} read ${A}'s key: ${other.text}`);
    assert.ok(!other.text.includes('PRIVATE KEY'), other.text);
  });

  it('changes nothing on a second apply', async () => {
    const again = await apply(site, inventoryFile);
    assert.equal(again.code, 0, failures(again));
    assert.deepEqual(changedTasks(again), []);
  });

  it("keeps a slave's identity across runs, putting it back over the master's", async () => {
    const kept = KEYS.map((key) => read(`${rootOf(A)}/etc/ssh/${key}`));
    const id = read(`${rootOf(A)}/etc/machine-id`);
    const root = `/${rootOf(A)}`;
    await onMaster(`cp -p /etc/ssh/ssh_host_ed25519_key ${root}/etc/ssh/; rm ${root}/etc/machine-id`);
    const again = await apply(site, inventoryFile);
    assert.equal(again.code, 0, failures(again));
    assert.deepEqual(changedTasks(again), ["slave-root / Put each slave's own identity into its root"]);
    assert.deepEqual(KEYS.map((key) => read(`${rootOf(A)}/etc/ssh/${key}`)), kept);
    assert.equal(read(`${rootOf(A)}/etc/machine-id`), id);
  });

  it('previews a new slave in check mode without making it an identity', async () => {
    const doc = JSON.parse(readFileSync(inventoryFile, 'utf8'));
    doc.masters[MASTER].slaves.newcomer = { mac: '02:00:0e:00:00:98', ip: '192.168.1.98' };
    const grown = join(scratchDir, 'grown.json');
    writeFileSync(grown, JSON.stringify(doc));
    const preview = await apply(site, grown, ['--check']);
    assert.equal(preview.code, 0, failures(preview));
    assert.ok(changedTasks(preview).includes("slave-root / Make each slave's own SSH host keys and machine-id, once"), changedTasks(preview).join('\n'));
    assert.equal(existsSync(onDisk('var/lib/diskless/identity/newcomer')), false, 'check mode made an identity');
    assert.equal(existsSync(onDisk('diskless/192.168.1.98')), false, 'check mode made a root');
  });
});
