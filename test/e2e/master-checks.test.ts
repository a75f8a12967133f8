// The guide's checks of a master, on a lab master (master-checks.json, which dhcp.json
// and nfs.json run first): each problem fails that master with the fix named, before
// anything is written; a master without the problem passes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { freeManagementNetwork, type Lab, labDown, labUp, writeLabInventory } from '../lab/index.js';
import { run } from '../lab/run.js';
import { apply, failures, repoRoot } from './slave-clients.js';

const LAB = 'mchk';
const MASTER = 'master-a';
const checks = join(repoRoot, 'playbooks/master-checks.json');

describe("the guide's master checks (lab)", function () {
  this.timeout(10 * 60_000);
  const scratchDir = mkdtempSync(join(tmpdir(), 'diskless-master-checks-'));
  let lab: Lab | undefined;
  let inventoryFile: string;
  let example: any;

  /** An inventory file for this lab, changed by `change`. */
  const variant = (name: string, change: (master: any) => void): string => {
    const doc = JSON.parse(readFileSync(inventoryFile, 'utf8'));
    change(doc.masters[MASTER]);
    const file = join(scratchDir, `${name}.json`);
    writeFileSync(file, JSON.stringify(doc, null, 2));
    return file;
  };
  /** Applies the checks and returns the one failed task's name and message. */
  const failedCheck = async (inventory: string) => {
    const r = await apply(checks, inventory);
    assert.equal(r.code, 2, failures(r));
    const failed = r.hosts[MASTER].tasks.filter((t) => t.status === 'failed');
    assert.equal(failed.length, 1, failures(r));
    return failed[0];
  };

  before(async () => {
    const gateway = await freeManagementNetwork();
    inventoryFile = writeLabInventory(join(repoRoot, 'examples/lab/inventory.json'), scratchDir, gateway, (inv) => {
      delete inv.masters['master-b'];
    });
    example = JSON.parse(readFileSync(inventoryFile, 'utf8')).masters[MASTER];
    await labDown({ name: LAB });
    lab = await labUp({ inventoryFile, name: LAB, managementCidr: `${gateway}/24` });
  });

  after(async () => {
    await labDown({ name: LAB });
    rmSync(scratchDir, { recursive: true, force: true });
  });

  it('passes a master that has what the guide asks for', async () => {
    const r = await apply(checks, inventoryFile);
    assert.equal(r.code, 0, failures(r));
  });

  it('fails a merged-/usr master whose slaves would get no /usr, naming the share to add', async () => {
    const withoutUsr = variant('no-usr', (m) => delete m.nfs.shared['/usr']);
    const failed = await failedCheck(withoutUsr);
    assert.match(failed.name, /could not run init/);
    assert.match(failed.msg ?? '', /merged \/usr \(\/bin -> usr\/bin\)/);
    assert.match(failed.msg ?? '', /Add "\/usr": "ro" to nfs\.shared of master-a/);
  });

  it('fails a LAN interface without MULTICAST, naming the command that turns it on', async () => {
    const { netns } = lab!.masters.find((m) => m.name === MASTER)!;
    await run(['ip', '-n', netns, 'link', 'set', example.lan.interface, 'multicast', 'off']);
    try {
      const failed = await failedCheck(inventoryFile);
      assert.match(failed.msg ?? '', new RegExp(`has no MULTICAST flag: turn it on with \`ip link set ${example.lan.interface} multicast on\``));
    } finally {
      await run(['ip', '-n', netns, 'link', 'set', example.lan.interface, 'multicast', 'on']);
    }
  });

  it('fails a LAN interface the master does not have', async () => {
    const failed = await failedCheck(variant('no-such-interface', (m) => (m.lan.interface = 'lan9')));
    assert.match(failed.msg ?? '', /master-a has no interface lan9 \(lan\.interface in the inventory\)/);
  });

  it("fails the kernel NFS server when the master's running kernel has no NFS server, and passes it when it has", async () => {
    const kernelServer = variant('kernel-nfs', (m) => (m.nfs.server = 'kernel'));
    const master = lab!.masters.find((m) => m.name === MASTER)!;
    // The agent reads the running kernel's /proc/config.gz first: inside the master's
    // own mount namespace, a stand-in is bound over it (gone with the namespace).
    const standIn = join(master.root, 'tmp/diskless-test-config.gz');
    const useConfig = async (text: string) => {
      writeFileSync(standIn, gzipSync(text));
      await run(['nsenter', '-t', String(master.pid), '-m', 'mount', '--bind', standIn, join(master.root, 'proc/config.gz')]);
    };
    const unbind = () => run(['nsenter', '-t', String(master.pid), '-m', 'umount', join(master.root, 'proc/config.gz')]);
    await useConfig('CONFIG_INET=y\n# CONFIG_NFSD is not set\n');
    try {
      const failed = await failedCheck(kernelServer);
      assert.match(failed.msg ?? '', /master-a's kernel \(\/proc\/config\.gz\) has no NFS server \(CONFIG_NFSD\): build it with CONFIG_NFSD=y .* or set nfs\.server to ganesha/);
      await unbind();
      await useConfig('CONFIG_INET=y\nCONFIG_NFSD=m\n');
      const r = await apply(checks, kernelServer);
      assert.equal(r.code, 0, failures(r));
    } finally {
      await unbind().catch(() => {});
      rmSync(standIn, { force: true });
    }
  });
});
