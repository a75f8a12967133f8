// The slave kernels built from source on lab masters, with a stand-in kernel tree (a
// Makefile that answers defconfig, olddefconfig, image_name and the image target in a
// moment and logs each image build): one build per architecture, installed under the
// name the slaves' pxelinux.cfg and dhcpd.conf give, and a rebuild only for the
// architecture whose options changed. Needs root (the lab).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeManagementNetwork, type Lab, labDown, labUp, masterRootPath, writeLabInventory } from '../lab/index.js';
import { apply, ClientScratch, DHCP_CLIENTS, dhcpLease, failures, repoRoot, STAND_IN_MKELF_LINUX, tftpGet } from './slave-clients.js';

const LAB = 'kbuild';
const SOURCES = '/usr/src/stand-in-linux';
const BUILD_DIR = '/var/lib/diskless/slave-kernel';

/** A kernel tree in name only: what the playbook's make calls need, and a log of image builds. */
const STAND_IN_MAKEFILE = [
  'ARCH ?= default',
  '.PHONY: all defconfig olddefconfig image_name bzImage modules_install install',
  'all modules_install install olddefconfig:',
  '\t@echo "stand-in: $@"',
  'defconfig:',
  "\t@printf 'CONFIG_STANDIN_ARCH=\"%s\"\\nCONFIG_MODULES=y\\n# CONFIG_NFS_FS is not set\\n' '$(ARCH)' > $(O)/.config",
  'image_name:',
  '\t@echo arch/x86/boot/bzImage',
  'bzImage:',
  '\t@mkdir -p $(O)/arch/x86/boot',
  '\t@{ echo "stand-in kernel ARCH=$(ARCH)"; cat $(O)/.config; } > $(O)/arch/x86/boot/bzImage',
  '\t@echo "$(O) $(ARCH)" >> $(CURDIR)/image-builds.log',
  '',
].join('\n');

describe('slave kernels built from source per architecture (lab)', function () {
  this.timeout(10 * 60_000);
  const scratchDir = mkdtempSync(join(tmpdir(), 'diskless-slave-kernel-builds-'));
  const clients = new ClientScratch();
  let lab: Lab;
  let inventoryFile: string;
  let playbooks: string;

  const onDisk = (master: string, path: string) => join(masterRootPath(lab, master), path);
  const builds = (master: string) => {
    const log = onDisk(master, `${SOURCES}/image-builds.log`);
    return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
  };

  before(async () => {
    // master-a: slave21 has no arch (the master's x86_64), slave22 (Etherboot) i686, slave23 aarch64 (UEFI).
    // master-b names no arch anywhere: one kernel, /diskless/bzImage, as before; slave33 Etherboot.
    // Both masters have a stand-in mkelf-linux, so dhcpd names the Etherboot images.
    const gateway = await freeManagementNetwork();
    inventoryFile = writeLabInventory(join(repoRoot, 'examples/lab/inventory.json'), scratchDir, gateway, (inv) => {
      const a = inv.masters['master-a'] as any;
      a.kernel = { sourceDir: SOURCES, slaveFromSource: true, arch: 'x86_64' };
      a.slaves.slave22 = { ...a.slaves.slave22, boot: 'etherboot', firmware: undefined, arch: 'i686' };
      a.slaves.slave23.arch = 'aarch64';
      const b = inv.masters['master-b'] as any;
      b.slaves.slave33 = { ...b.slaves.slave33, boot: 'etherboot', firmware: undefined };
      (inv.masters['master-b'] as any).kernel = { sourceDir: SOURCES, slaveFromSource: true };
    });
    playbooks = join(scratchDir, 'kernels-dhcp-tftp.json');
    writeFileSync(playbooks, JSON.stringify(['master-kernel.json', 'dhcp.json', 'tftp.json'].map((p) => ({ import_playbook: join(repoRoot, 'playbooks', p) }))));
    await labDown({ name: LAB });
    lab = await labUp({ inventoryFile, name: LAB, managementCidr: `${gateway}/24` });
    for (const master of ['master-a', 'master-b']) {
      mkdirSync(onDisk(master, SOURCES), { recursive: true });
      writeFileSync(onDisk(master, `${SOURCES}/Makefile`), STAND_IN_MAKEFILE);
      writeFileSync(onDisk(master, `${SOURCES}/.config`), 'CONFIG_MODULES=y\n');
      writeFileSync(onDisk(master, '/usr/bin/mkelf-linux'), STAND_IN_MKELF_LINUX, { mode: 0o755 });
    }
  });

  after(async () => {
    clients.remove();
    await labDown({ name: LAB });
    rmSync(scratchDir, { recursive: true, force: true });
  });

  it('builds one kernel per architecture, each with its own build directory and ARCH', async () => {
    const first = await apply(playbooks, inventoryFile);
    assert.equal(first.code, 0, failures(first));
    assert.deepEqual(builds('master-a').sort(), [
      `${BUILD_DIR}/aarch64 arm64`,
      `${BUILD_DIR}/i686 i386`,
      `${BUILD_DIR}/x86_64 default`,
    ]);
    for (const [arch, make] of [['x86_64', 'default'], ['i686', 'i386'], ['aarch64', 'arm64']]) {
      const kernel = readFileSync(onDisk('master-a', `/diskless/bzImage_${arch}`), 'utf8');
      assert.match(kernel, new RegExp(`^stand-in kernel ARCH=${make}\\n`));
      assert.match(kernel, /^CONFIG_NFS_FS=y$/m);
      assert.match(kernel, /^CONFIG_ROOT_NFS=y$/m);
    }
    assert.equal(existsSync(onDisk('master-a', '/diskless/bzImage')), false, 'no bzImage beside the per-arch kernels');
    assert.deepEqual(builds('master-b'), [`${BUILD_DIR} default`]);
    assert.match(readFileSync(onDisk('master-b', '/diskless/bzImage'), 'utf8'), /^stand-in kernel ARCH=default\n/);
  });

  it('points each slave at its own architecture: pxelinux.cfg or grub.cfg over TFTP, the Etherboot image name by DHCP', async () => {
    const slaves = [
      { slave: 'slave21', client: DHCP_CLIENTS.biosPxe, config: 'pxelinux.cfg/01-02-00-0a-01-00-21', kernelLine: 'KERNEL bzImage_x86_64', kernel: 'bzImage_x86_64' },
      { slave: 'slave23', client: DHCP_CLIENTS.arm64UefiPxe, config: 'grub/grub.cfg-01-02-00-0a-01-00-23', kernelLine: 'linux /bzImage_aarch64 .*', kernel: 'bzImage_aarch64' },
    ];
    for (const { slave, client, config, kernelLine, kernel } of slaves) {
      const who = `master-a/${slave}`;
      assert.ok(await dhcpLease(lab, who, client, clients), `${slave} got no lease`);
      const cfg = await tftpGet(lab, who, '192.168.1.1', config, clients);
      assert.match(cfg?.toString() ?? '', new RegExp(`^\\s*${kernelLine}$`, 'm'));
      const image = await tftpGet(lab, who, '192.168.1.1', kernel, clients);
      assert.ok(image?.toString().startsWith('stand-in kernel'), `${slave}: ${kernel} not served by TFTP`);
    }
    const etherboot = await dhcpLease(lab, 'master-a/slave22', 'Etherboot-5.4', clients);
    assert.equal(etherboot?.bootFile, 'vmlinuz_i686.elf');
    const plain = await dhcpLease(lab, 'master-b/slave33', 'Etherboot-5.4', clients);
    assert.equal(plain?.bootFile, 'vmlinuz.elf');
  });

  it('changes and builds nothing the second time', async () => {
    const second = await apply(playbooks, inventoryFile);
    assert.equal(second.code, 0, failures(second));
    for (const [name, host] of Object.entries(second.hosts)) {
      assert.equal(host.changed, 0, `${name}: ${host.tasks.filter((t) => t.changed).map((t) => t.name).join(', ')}`);
    }
    assert.equal(builds('master-a').length, 3);
    assert.equal(builds('master-b').length, 1);
  });

  it('rebuilds only the architecture whose options changed', async () => {
    const config = onDisk('master-a', `${BUILD_DIR}/i686/.config`);
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^CONFIG_NFS_FS=y$/m, '# CONFIG_NFS_FS is not set'));
    const before = readFileSync(onDisk('master-a', '/diskless/bzImage_x86_64'), 'utf8');
    const third = await apply(join(repoRoot, 'playbooks/master-kernel.json'), inventoryFile);
    assert.equal(third.code, 0, failures(third));
    assert.deepEqual(builds('master-a').slice(3), [`${BUILD_DIR}/i686 i386`]);
    assert.equal(builds('master-b').length, 1);
    assert.match(readFileSync(onDisk('master-a', '/diskless/bzImage_i686'), 'utf8'), /^CONFIG_NFS_FS=y$/m);
    assert.equal(readFileSync(onDisk('master-a', '/diskless/bzImage_x86_64'), 'utf8'), before);
  });

  it('makes the Etherboot images with mkelf-linux, and names the arm64 slave that has no GRUB arm64 image', async () => {
    const last = await apply(join(repoRoot, 'playbooks/boot-images.json'), inventoryFile);
    assert.equal(last.code, 2, failures(last));
    const failed = last.hosts['master-a'].tasks.filter((t) => t.status === 'failed');
    assert.deepEqual(failed.map((t) => t.name), ["Refuse arm64 slaves without GRUB's arm64 image"]);
    assert.match(failed[0].msg ?? '', /cannot serve the arm64 UEFI slaves slave23 : it has no GRUB arm64 EFI modules .*grub-efi-arm64-bin/);
    // Everything else ran: each Etherboot slave's architecture has its image.
    assert.match(readFileSync(onDisk('master-a', '/diskless/vmlinuz_i686.elf'), 'utf8'), /^stand-in Etherboot image\n.*\/diskless\/bzImage_i686$/m);
    assert.equal(last.hosts['master-b'].failed, 0, failures(last));
    assert.match(readFileSync(onDisk('master-b', '/diskless/vmlinuz.elf'), 'utf8'), /\/diskless\/bzImage$/m);
  });
});
