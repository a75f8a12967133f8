// The five playbooks applied to a lab of real masters, then checked from the slaves'
// side with real clients: a DHCP lease, a TFTP fetch, an NFS read, and the files on
// the masters' disks. Run for the example inventory and for a generated one with
// other subnets and more slaves.
import assert from 'node:assert/strict';
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Lab, labDown, labUp, masterRootPath } from '../lab/index.js';
import {
  apply,
  ClientScratch,
  DHCP_CLIENTS,
  dhcpLease,
  expectedLoader,
  failures,
  nfsCat,
  nfsLs,
  nfsWrite,
  repoRoot,
  setSlaveMac,
  STAND_IN_MKELF_LINUX,
  tftpGet,
} from './slave-clients.js';

type Firmware = 'auto' | 'bios' | 'uefi';
interface SlaveSpec {
  mac: string;
  ip: string;
  boot?: 'pxe' | 'etherboot';
  firmware?: Firmware;
  interface?: string;
  services?: string[];
}
interface MasterSpec {
  ssh: { host: string };
  boot?: { firmware?: Firmware };
  lan: { interface: string; address: string; prefix: number; routers?: string; dns?: string[] };
  nfs: { server: string; mountOptions: string; shared: Record<string, 'ro' | 'rw'> };
  slaves: Record<string, SlaveSpec>;
}
interface InventoryDoc {
  defaults: unknown;
  vars?: Record<string, unknown>;
  masters: Record<string, MasterSpec>;
}

const exampleInventory = join(repoRoot, 'examples/lab/inventory.json');
const site = join(repoRoot, 'playbooks/site.json');

/**
 * Other subnets (one not a /24), more slaves, every firmware setting (a master whose
 * slaves default to BIOS, slaves fixed to UEFI or BIOS, the rest auto), a named boot
 * interface, and the same lab keys as the example.
 */
function generatedInventory(example: InventoryDoc): InventoryDoc {
  const firmwareOf = [undefined, undefined, 'uefi', 'bios'] as const;
  const slaves = (net: string, first: number, count: number, mac: number) =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        `node${first + i}`,
        {
          mac: `02:00:0b:${mac.toString(16).padStart(2, '0')}:00:${(first + i).toString(16).padStart(2, '0')}`,
          ip: `${net}.${first + i}`,
          ...(firmwareOf[i] ? { firmware: firmwareOf[i] } : {}),
          ...(i === 1 ? { interface: 'enp1s0' } : {}),
          services: i === 0 ? ['ssh', 'cron'] : ['ssh'],
        } satisfies SlaveSpec,
      ]),
    );
  const nfs = { server: 'ganesha', mountOptions: 'tcp,vers=3', shared: { '/usr': 'ro' as const, '/home': 'rw' as const } };
  return {
    defaults: example.defaults,
    vars: { domain: 'generated.diskless.test' },
    masters: {
      'gen-a': {
        ssh: { host: '10.231.0.31' },
        lan: { interface: 'lan0', address: '10.77.10.1', prefix: 24, routers: '10.77.10.1', dns: ['10.77.10.1'] },
        nfs,
        slaves: slaves('10.77.10', 10, 5, 1),
      },
      'gen-b': {
        ssh: { host: '10.231.0.32' },
        lan: { interface: 'lan1', address: '172.29.3.1', prefix: 26, routers: '172.29.3.1', dns: ['172.29.3.1'] },
        boot: { firmware: 'bios' },
        nfs,
        slaves: slaves('172.29.3', 40, 3, 2),
      },
    },
  };
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const pxelinuxName = (mac: string) => `01-${mac.toLowerCase().replace(/:/g, '-')}`;
const UEFI_LOADER = 'grub/x86_64-efi/core.efi';
const firmwareOf = (master: MasterSpec, slave: SlaveSpec): Firmware => slave.firmware ?? master.boot?.firmware ?? 'auto';
/** The kernel command line's interface part: a named interface, else eth0 kept by net.ifnames=0. */
const interfaceArgs = (slave: SlaveSpec) => (slave.interface ? new RegExp(`(^|\\s)ip=:::::${slave.interface}:dhcp\\s`) : /(^|\s)ip=dhcp\s.*\snet\.ifnames=0(\s|$)/);

interface Scenario {
  title: string;
  labName: string;
  inventory: () => string; // path of the inventory file to use
}

const scratchDir = mkdtempSync(join(tmpdir(), 'diskless-playbooks-e2e-'));
const scenarios: Scenario[] = [
  { title: 'the example inventory', labName: 'pbex', inventory: () => exampleInventory },
  {
    title: 'a generated inventory (other subnets, more slaves)',
    labName: 'pbgen',
    inventory: () => {
      const file = join(scratchDir, 'generated-inventory.json');
      writeFileSync(file, JSON.stringify(generatedInventory(readJson<InventoryDoc>(exampleInventory)), null, 2));
      return file;
    },
  },
];

after(() => rmSync(scratchDir, { recursive: true, force: true }));

for (const scenario of scenarios) {
  describe(`playbooks/site.json on ${scenario.title}`, function () {
    this.timeout(20 * 60_000);
    let inventoryFile: string;
    let inventory: InventoryDoc;
    let lab: Lab;
    let first: Awaited<ReturnType<typeof apply>>;
    const scratch = new ClientScratch();

    const masters = () => Object.entries(inventory.masters);
    const slavesOf = (m: MasterSpec) => Object.entries(m.slaves);
    const onDisk = (master: string, path: string) => join(masterRootPath(lab, master), path);
    const target = (master: string, slave: string) => `${master}/${slave}`;

    before(async () => {
      inventoryFile = scenario.inventory();
      inventory = readJson<InventoryDoc>(inventoryFile);
      await labDown({ name: scenario.labName });
      lab = await labUp({ inventoryFile, name: scenario.labName });
      first = await apply(site, inventoryFile);
    });

    after(async () => {
      scratch.remove();
      await labDown({ name: scenario.labName });
    });

    it('applies on every master without a failure', () => {
      assert.equal(first.code, 0, failures(first));
      for (const [name] of masters()) {
        const host = first.hosts[name];
        assert.ok(host, `no report for ${name}`);
        assert.equal(host.failed, 0, failures(first));
        assert.ok(host.changed > 0, `${name}: a first apply must change something`);
      }
    });

    it("gives each slave its fixed address and its firmware's loader from its own master, BIOS and UEFI clients alike", async () => {
      for (const [masterName, master] of masters()) {
        for (const [slaveName, slave] of slavesOf(master)) {
          const firmware = firmwareOf(master, slave);
          for (const client of [DHCP_CLIENTS.biosPxe, DHCP_CLIENTS.uefiPxe]) {
            const who = `${slaveName} (firmware ${firmware}) asking as client architecture ${client.clientArch}`;
            const lease = await dhcpLease(lab, target(masterName, slaveName), client, scratch);
            assert.ok(lease, `${who} got no lease`);
            assert.equal(lease.ip, slave.ip, `${who}: address`);
            assert.equal(lease.siaddr, master.lan.address, `${who}: next-server`);
            assert.equal(lease.bootFile, expectedLoader(firmware, client.clientArch, { bios: 'pxelinux.0', uefi: UEFI_LOADER }), `${who}: boot file`);
            assert.equal(lease.hostname, slaveName);
          }
          // After the loader, firmware and initramfs ask again without vendor class or option 93.
          const plain = await dhcpLease(lab, target(masterName, slaveName), DHCP_CLIENTS.plain, scratch);
          assert.equal(plain?.ip, slave.ip, `${slaveName}: a plain DHCP request got no fixed address`);
        }
      }
    });

    it('hands an arm64 UEFI client no loader when the inventory declares no arm64 slave', async () => {
      const [masterName, master] = masters()[0];
      const [slaveName, slave] = slavesOf(master)[0];
      const lease = await dhcpLease(lab, target(masterName, slaveName), DHCP_CLIENTS.arm64UefiPxe, scratch);
      assert.equal(lease?.ip, slave.ip);
      assert.equal(lease?.bootFile, '', `${slaveName} is not arm64 and must not be handed an x86 loader`);
    });

    it('gives no address to a MAC the inventory does not know', async () => {
      const [masterName, master] = masters()[0];
      const [slaveName, slave] = slavesOf(master)[0];
      await setSlaveMac(lab, target(masterName, slaveName), '02:00:0f:ff:ff:01');
      try {
        assert.equal(await dhcpLease(lab, target(masterName, slaveName), 'PXEClient', scratch), null);
      } finally {
        await setSlaveMac(lab, target(masterName, slaveName), slave.mac);
      }
    });

    it('serves pxelinux.0, ldlinux.c32 and each slave that may boot BIOS its own pxelinux.cfg by TFTP', async () => {
      const pxelinux = readFileSync('/usr/lib/PXELINUX/pxelinux.0');
      for (const [masterName, master] of masters()) {
        for (const [slaveName, slave] of slavesOf(master).filter(([, s]) => firmwareOf(master, s) !== 'uefi')) {
          const who = target(masterName, slaveName);
          assert.ok(await dhcpLease(lab, who, 'PXEClient', scratch), `${slaveName} got no lease`);
          const boot = await tftpGet(lab, who, master.lan.address, 'pxelinux.0', scratch);
          assert.ok(boot?.equals(pxelinux), `${slaveName}: pxelinux.0 over TFTP differs from the package's`);
          assert.ok(await tftpGet(lab, who, master.lan.address, 'ldlinux.c32', scratch), `${slaveName}: no ldlinux.c32`);
          const cfg = await tftpGet(lab, who, master.lan.address, `pxelinux.cfg/${pxelinuxName(slave.mac)}`, scratch);
          assert.ok(cfg, `${slaveName}: no pxelinux.cfg/${pxelinuxName(slave.mac)}`);
          const append = cfg.toString().split('\n').find((l) => l.trim().startsWith('APPEND'));
          assert.match(append ?? '', new RegExp(`nfsroot=${master.lan.address}:/diskless/${slave.ip.replace(/\./g, '\\.')}[,\\s]`));
          assert.match(append ?? '', /root=\/dev\/nfs/);
          assert.match(append ?? '', interfaceArgs(slave));
          assert.match(cfg.toString(), /^\s*KERNEL bzImage$/m, `${slaveName}: slaves of one architecture share bzImage`);
        }
      }
    });

    it("serves GRUB's network image and each slave that may boot UEFI its own grub.cfg by TFTP, and no other firmware's file", async () => {
      for (const [masterName, master] of masters()) {
        const loaderOnDisk = readFileSync(onDisk(masterName, `diskless/${UEFI_LOADER}`));
        assert.equal(loaderOnDisk.subarray(0, 2).toString(), 'MZ', `${masterName}: ${UEFI_LOADER} is not an EFI (PE) program`);
        for (const [slaveName, slave] of slavesOf(master)) {
          const firmware = firmwareOf(master, slave);
          const who = target(masterName, slaveName);
          const lease = await dhcpLease(lab, who, DHCP_CLIENTS.uefiPxe, scratch);
          assert.ok(lease, `${slaveName} got no lease`);
          const grubCfg = await tftpGet(lab, who, master.lan.address, `grub/grub.cfg-${pxelinuxName(slave.mac)}`, scratch);
          if (firmware === 'bios') {
            assert.equal(grubCfg, null, `${slaveName} boots BIOS only, yet has a grub.cfg`);
            continue;
          }
          const loader = await tftpGet(lab, who, master.lan.address, lease.bootFile, scratch);
          assert.ok(loader?.equals(loaderOnDisk), `${slaveName}: ${lease.bootFile} over TFTP differs from the master's ${UEFI_LOADER}`);
          assert.ok(grubCfg, `${slaveName}: no grub/grub.cfg-${pxelinuxName(slave.mac)}`);
          const linux = grubCfg.toString().split('\n').find((l) => l.trim().startsWith('linux '));
          assert.match(linux ?? '', /^\s*linux \/bzImage\s/, `${slaveName}: ${linux}`);
          assert.match(linux ?? '', new RegExp(`\\snfsroot=${master.lan.address}:/diskless/${slave.ip.replace(/\./g, '\\.')},`));
          assert.match(linux ?? '', interfaceArgs(slave));
          assert.match(grubCfg.toString(), /^\s*initrd \/initrd\.img$/m, `${slaveName}: no initrd line`);
          if (firmware === 'uefi') {
            assert.equal(await tftpGet(lab, who, master.lan.address, `pxelinux.cfg/${pxelinuxName(slave.mac)}`, scratch), null, `${slaveName} boots UEFI only, yet has a pxelinux.cfg file`);
          }
        }
      }
    });

    it("lets a slave read its own root over NFS, and refuses another slave's", async () => {
      for (const [masterName, master] of masters()) {
        const [[aName, a], [bName]] = slavesOf(master);
        const url = `nfs://${master.lan.address}/diskless/${a.ip}/etc/hostname`;
        assert.ok(await dhcpLease(lab, target(masterName, aName), 'PXEClient', scratch));
        const own = await nfsCat(lab, target(masterName, aName), url);
        assert.ok(own.ok, `${aName} cannot read its root: ${own.text}`);
        assert.equal(own.text.trim(), aName);
        const own4 = await nfsCat(lab, target(masterName, aName), `${url}?version=4`);
        assert.equal(own4.text.trim(), aName, `${aName} over NFSv4: ${own4.text}`);

        assert.ok(await dhcpLease(lab, target(masterName, bName), 'PXEClient', scratch));
        const other = await nfsLs(lab, target(masterName, bName), `nfs://${master.lan.address}/diskless/${a.ip}/etc`);
        assert.equal(other.ok, false, `${bName} could list ${aName}'s root: ${other.text}`);
      }
    });

    it('refuses a write to a read-only share', async () => {
      const [masterName, master] = masters()[0];
      const [slaveName] = slavesOf(master)[0];
      const readOnly = Object.entries(master.nfs.shared).find(([, mode]) => mode === 'ro')?.[0];
      assert.ok(readOnly, 'the inventory shares nothing read-only');
      assert.ok(await dhcpLease(lab, target(masterName, slaveName), 'PXEClient', scratch));
      const name = `e2e-write-${process.pid}`;
      const write = await nfsWrite(lab, target(masterName, slaveName), `nfs://${master.lan.address}${readOnly}/${name}`, scratch);
      assert.ok(write.refused, `the write to ${readOnly} was not refused: ${write.text}`);
      assert.equal(existsSync(onDisk(masterName, `${readOnly}/${name}`)), false, `${readOnly}/${name} appeared on ${masterName}`);
    });

    it("builds each slave's root the way the guide does", () => {
      for (const [masterName, master] of masters()) {
        for (const [slaveName, slave] of slavesOf(master)) {
          const root = onDisk(masterName, `diskless/${slave.ip}`);
          for (const dir of ['home', 'dev', 'proc', 'tmp', 'mnt', 'mnt/.initd', 'root', 'sys', 'var/empty', 'var/lock', 'var/log', 'var/run', 'var/spool', 'usr', 'opt', 'run']) {
            assert.ok(statSync(join(root, dir)).isDirectory(), `${slaveName}: ${dir} is not a directory`);
          }
          assert.equal(statSync(join(root, 'tmp')).mode & 0o7777, 0o1777, `${slaveName}: tmp mode`);
          const console = statSync(join(root, 'dev/console'));
          assert.ok(console.isCharacterDevice(), `${slaveName}: dev/console is not a character device`);
          assert.equal(console.rdev, (5 << 8) | 1, `${slaveName}: dev/console is not 5,1`);
          assert.equal(readFileSync(join(root, 'etc/hostname'), 'utf8').trim(), slaveName);
          const fstab = readFileSync(join(root, 'etc/fstab'), 'utf8');
          assert.match(fstab, new RegExp(`^${master.lan.address}:/diskless/${slave.ip}\\s+/\\s+nfs\\s+rw`, 'm'));
          for (const [path, mode] of Object.entries(master.nfs.shared)) {
            assert.match(fstab, new RegExp(`^${master.lan.address}:${path}\\s+${path}\\s+nfs\\s+${mode}`, 'm'), `${slaveName}: fstab lacks ${path}`);
          }
          assert.ok(existsSync(join(root, 'etc/passwd')), `${slaveName}: /etc was not copied`);
          // /bin, /sbin, /lib: the master's own layout, symlinks into usr/ kept as such.
          for (const dir of ['bin', 'sbin', 'lib']) {
            const mine = lstatSync(join('/', dir));
            const theirs = lstatSync(join(root, dir));
            assert.equal(theirs.isSymbolicLink(), mine.isSymbolicLink(), `${slaveName}: ${dir}`);
            if (mine.isSymbolicLink()) assert.equal(readlinkSync(join(root, dir)), readlinkSync(join('/', dir)));
          }
          assert.ok(!readFileSync(join(root, 'etc/network/interfaces'), 'utf8').match(/^\s*(auto|allow-hotplug)\s+eth0/m), `${slaveName}: ifupdown would reconfigure eth0`);
        }
      }
    });

    it('changes nothing on a second apply, and restarts nothing', async () => {
      const again = await apply(site, inventoryFile);
      assert.equal(again.code, 0, failures(again));
      for (const [name] of masters()) {
        const host = again.hosts[name];
        const changed = host.tasks.filter((t) => t.changed).map((t) => `${t.playbook} / ${t.name}`);
        assert.deepEqual(changed, [], `${name}: a second apply changed things`);
        assert.deepEqual(host.tasks.filter((t) => t.handler), [], `${name}: a handler ran`);
      }
    });

    it('fails a broken dhcpd template on that master only and keeps its running config', async function () {
      if (masters().length < 2) this.skip();
      const [[victim], [bystander]] = masters();
      const playbooks = join(scratchDir, `playbooks-${scenario.labName}`);
      cpSync(join(repoRoot, 'playbooks'), playbooks, { recursive: true });
      const template = join(playbooks, 'templates/dhcpd.conf.hbs');
      writeFileSync(template, `${readFileSync(template, 'utf8')}{{#if (eq master.name "${victim}")}}host broken { hardware ethernet zz; }{{/if}}\n`);
      const before = readFileSync(onDisk(victim, 'etc/dhcp/dhcpd.conf'));

      const r = await apply(join(playbooks, 'dhcp.json'), inventoryFile);
      assert.equal(r.code, 2, failures(r));
      const failed = r.hosts[victim].tasks.filter((t) => t.status === 'failed');
      assert.deepEqual(failed.map((t) => t.name), ['Write dhcpd.conf']);
      assert.match(failed[0].msg ?? '', /line \d+/, 'the message points at the line dhcpd refused');
      assert.equal(r.hosts[bystander].failed, 0, failures(r));
      assert.ok(readFileSync(onDisk(victim, 'etc/dhcp/dhcpd.conf')).equals(before), `${victim}: dhcpd.conf was replaced`);
    });

    it('previews a new slave in check mode, then serves it after a real apply that restarts dhcpd', async () => {
      const [masterName, master] = masters()[0];
      const [posingName, posing] = slavesOf(master).find(([, s]) => s.boot !== 'etherboot')!;
      const base = master.lan.address.split('.').slice(0, 3).join('.');
      const newcomer: SlaveSpec = { mac: '02:00:0e:00:00:99', ip: `${base}.${master.lan.prefix >= 26 ? 60 : 99}`, boot: 'pxe', services: ['ssh'] };
      const grown: InventoryDoc = structuredClone(inventory);
      grown.masters[masterName].slaves.newcomer = newcomer;
      const grownFile = join(scratchDir, `grown-${scenario.labName}.json`);
      writeFileSync(grownFile, JSON.stringify(grown, null, 2));
      const dhcpdConf = onDisk(masterName, 'etc/dhcp/dhcpd.conf');
      const before = readFileSync(dhcpdConf);

      const preview = await apply(site, grownFile, ['--check']);
      assert.equal(preview.code, 0, failures(preview));
      assert.ok(preview.hosts[masterName].changed > 0, 'check mode reported no change for a new slave');
      assert.ok(readFileSync(dhcpdConf).equals(before), 'check mode wrote dhcpd.conf');
      assert.equal(existsSync(onDisk(masterName, `diskless/${newcomer.ip}`)), false, 'check mode made the root');

      const real = await apply(site, grownFile);
      assert.equal(real.code, 0, failures(real));
      const restarts = real.hosts[masterName].tasks.filter((t) => t.handler && t.name === 'restart dhcpd');
      assert.equal(restarts.length, 1, 'dhcpd was not restarted by its handler');
      assert.match(readFileSync(dhcpdConf, 'utf8'), /host newcomer \{/);

      await setSlaveMac(lab, target(masterName, posingName), newcomer.mac);
      try {
        const lease = await dhcpLease(lab, target(masterName, posingName), 'PXEClient', scratch);
        assert.equal(lease?.ip, newcomer.ip);
        const own = await nfsCat(lab, target(masterName, posingName), `nfs://${master.lan.address}/diskless/${newcomer.ip}/etc/hostname`);
        assert.equal(own.text.trim(), 'newcomer', own.text);
      } finally {
        await setSlaveMac(lab, target(masterName, posingName), posing.mac);
      }
    });

    it('names an Etherboot slave the master cannot make an image for, serves the others, and serves it once mkelf-linux exists', async () => {
      const [masterName, master] = masters()[0];
      const [posingName, posing] = slavesOf(master)[0];
      const base = master.lan.address.split('.').slice(0, 3).join('.');
      const oldNic: SlaveSpec = { mac: '02:00:0e:00:00:98', ip: `${base}.${master.lan.prefix >= 26 ? 61 : 98}`, boot: 'etherboot' };
      const grown: InventoryDoc = structuredClone(inventory);
      grown.masters[masterName].slaves.oldnic = oldNic;
      const grownFile = join(scratchDir, `etherboot-${scenario.labName}.json`);
      writeFileSync(grownFile, JSON.stringify(grown, null, 2));

      // Debian packages no mkelf-linux: the last play fails and names the slave.
      const refused = await apply(site, grownFile);
      assert.equal(refused.code, 2, failures(refused));
      const failed = refused.hosts[masterName].tasks.filter((t) => t.status === 'failed');
      assert.deepEqual(failed.map((t) => t.name), ['Refuse Etherboot slaves whose image this master cannot make'], failures(refused));
      assert.match(failed[0].msg ?? '', /oldnic/);
      assert.match(failed[0].msg ?? '', /mkelf-linux/);
      for (const [other] of masters().slice(1)) assert.equal(refused.hosts[other].failed, 0, failures(refused));
      // Everything before it ran: the slave has its root, and dhcpd hands out no image that is not there.
      assert.equal(readFileSync(onDisk(masterName, `diskless/${oldNic.ip}/etc/hostname`), 'utf8').trim(), 'oldnic');
      const dhcpdConf = readFileSync(onDisk(masterName, 'etc/dhcp/dhcpd.conf'), 'utf8');
      assert.match(dhcpdConf, /host oldnic \{/);
      assert.doesNotMatch(dhcpdConf, /vmlinuz/, 'dhcpd hands out an Etherboot image that does not exist');

      // A stand-in for mkelf-linux (as Gentoo's mknbi installs it) writes its arguments as the image.
      const mkelf = onDisk(masterName, 'usr/bin/mkelf-linux');
      writeFileSync(mkelf, STAND_IN_MKELF_LINUX, { mode: 0o755 });
      try {
        const served = await apply(site, grownFile);
        assert.equal(served.code, 0, failures(served));
        const image = readFileSync(onDisk(masterName, 'diskless/vmlinuz.elf'), 'utf8');
        assert.match(image, new RegExp(`nfsroot=${master.lan.address}:/diskless/%s`), image);
        await setSlaveMac(lab, target(masterName, posingName), oldNic.mac);
        try {
          const lease = await dhcpLease(lab, target(masterName, posingName), 'Etherboot-5.4', scratch);
          assert.equal(lease?.ip, oldNic.ip);
          assert.equal(lease?.bootFile, 'vmlinuz.elf');
          const fetched = await tftpGet(lab, target(masterName, posingName), master.lan.address, lease.bootFile, scratch);
          assert.equal(fetched?.toString(), image, 'the Etherboot image over TFTP');
        } finally {
          await setSlaveMac(lab, target(masterName, posingName), posing.mac);
        }
      } finally {
        rmSync(mkelf, { force: true });
      }
    });
  });
}
