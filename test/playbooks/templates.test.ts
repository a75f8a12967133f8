// The playbooks rendered offline for the example inventory, as a Debian and as a
// Gentoo master, through the controller's own task runner: every template renders,
// dhcpd accepts its config, each slave gets what it needs and nothing more.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineParts } from '../../packages/controller/src/engine/engine-parts.js';
import { renderPlaysOffline, type RenderedFile } from '../../packages/controller/src/engine/render-offline.js';
import { loadPlaybooks } from '../../packages/controller/src/playbook/load-playbooks.js';
import type { Inventory, Master } from '../../packages/controller/src/types.js';
import { exampleInventory, repo, scratch } from './example-inventory.js';

const DHCPD = '/usr/sbin/dhcpd';

const masterFacts = {
  debian: { hostname: 'm', os: { family: 'debian', id: 'debian', version: '12' }, init: 'sysv', packageManager: 'apt', kernel: { release: '6.1.0-50-amd64', config: {} }, commands: {} },
  gentoo: { hostname: 'm', os: { family: 'gentoo', id: 'gentoo', version: '2.15' }, init: 'openrc', packageManager: 'portage', kernel: { release: '6.6.30-gentoo', config: {} }, commands: {} },
} as const;

/** Every file site.json writes on `master`; `extraFacts` adds to the family's facts (e.g. arch). */
async function render(inventory: Inventory, master: Master, family: keyof typeof masterFacts, extraFacts: object = {}): Promise<Map<string, string>> {
  const plays = await loadPlaybooks([join(repo, 'playbooks/site.json')]);
  const facts = { ...structuredClone(masterFacts[family]), ...extraFacts } as Record<string, unknown>;
  const outcome = await renderPlaysOffline(inventory, plays, master, facts, engineParts());
  assert.deepEqual(outcome.failures, [], `${master.name} (${family}) did not render`);
  return new Map(outcome.files.map((f: RenderedFile) => [f.path, f.content]));
}

function file(files: Map<string, string>, path: string): string {
  const content = files.get(path);
  assert.ok(content !== undefined, `${path} was not rendered (rendered: ${[...files.keys()].join(', ')})`);
  return content;
}

const pxelinuxName = (mac: string) => `01-${mac.replace(/:/g, '-')}`;

for (const family of ['debian', 'gentoo'] as const) {
  describe(`playbook templates for a ${family} master`, () => {
    let inventory: Inventory;
    before(async () => {
      inventory = await exampleInventory();
    });

    it('writes a dhcpd.conf that dhcpd accepts, with one host per slave, no free range, and a log line for unknown clients', async () => {
      for (const master of inventory.masters) {
        const conf = file(await render(inventory, master, family), '/etc/dhcp/dhcpd.conf');
        for (const slave of master.slaves) {
          assert.match(conf, new RegExp(`host ${slave.name} \\{\\s+hardware ethernet ${slave.mac};\\s+fixed-address ${slave.ip.replace(/\./g, '\\.')};`));
        }
        assert.match(conf, /^option client-arch code 93 = unsigned integer 16;$/m);
        // UEFI clients get GRUB, and no vendor class echo or option 43 (PXE-E16 otherwise);
        // BIOS clients get pxelinux.0 with both.
        assert.match(conf, /class "pxeclient" \{[^{}]*next-server[^{}]*if option client-arch = 00:07 or option client-arch = 00:09 \{[^{}]*filename "grub\/x86_64-efi\/core\.efi";\s*\}/s);
        const biosBranch = /\} else \{([^{}]*)\}\n\}/.exec(conf)?.[1] ?? '';
        assert.match(biosBranch, /option vendor-class-identifier "PXEClient";[^]*vendor-option-space PXE;[^]*filename "pxelinux\.0";/);
        assert.doesNotMatch(conf, /class "etherboot"/, 'no Etherboot slave, no Etherboot class');
        // The one range is the master's own address, in a pool that only logs unknown
        // clients for `discover` and drops them.
        const ranges = conf.match(/^\s*range\s.*$/gm) ?? [];
        assert.deepEqual(ranges.map((r) => r.trim()), [`range ${master.lan.address};`]);
        assert.match(conf, /pool \{\s+allow unknown-clients;\s+range [\d.]+;\s+log\(info, concat\("diskless-unknown mac=", [^;]*\)\);\s+boot-unknown-clients false;\s+\}/);
        if (!existsSync(DHCPD)) continue;
        const path = join(scratch, `${master.name}-dhcpd.conf`);
        writeFileSync(path, conf);
        const check = spawnSync(DHCPD, ['-t', '-4', '-cf', path], { encoding: 'utf8' });
        assert.equal(check.status, 0, check.stderr);
      }
    });

    it('points dhcpd and tftpd at the LAN interface and /diskless', async () => {
      const [master] = inventory.masters;
      const files = await render(inventory, master, family);
      if (family === 'debian') {
        assert.match(file(files, '/etc/default/isc-dhcp-server'), new RegExp(`^INTERFACESv4="${master.lan.interface}"$`, 'm'));
        const tftpd = file(files, '/etc/default/tftpd-hpa');
        assert.match(tftpd, /^TFTP_DIRECTORY="\/diskless"$/m);
        assert.match(tftpd, /^TFTP_OPTIONS=".*--secure.*"$/m);
        assert.match(tftpd, /^TFTP_OPTIONS=".*--verbose.*"$/m, '`diskless status` reads the RRQ lines tftpd logs with --verbose');
      } else {
        assert.match(file(files, '/etc/conf.d/dhcpd'), new RegExp(`^DHCPD_IFACE="${master.lan.interface}"$`, 'm'));
        assert.match(file(files, '/etc/conf.d/in.tftpd'), /^INTFTPD_OPTS=".*-s \$\{INTFTPD_PATH\}"$/m);
        assert.match(file(files, '/etc/conf.d/in.tftpd'), /^INTFTPD_OPTS="-v /m, '`diskless status` reads the RRQ lines tftpd logs with -v');
      }
    });

    it('gives each PXE slave that may boot BIOS, and only those, a pxelinux.cfg file that boots its own root', async () => {
      for (const master of inventory.masters) {
        const files = await render(inventory, master, family);
        const configs = [...files.keys()].filter((p) => p.startsWith('/diskless/pxelinux.cfg/01-'));
        const pxe = master.slaves.filter((s) => s.boot === 'pxe' && s.firmware !== 'uefi');
        assert.deepEqual(configs.sort(), pxe.map((s) => `/diskless/pxelinux.cfg/${pxelinuxName(s.mac)}`).sort());
        for (const slave of pxe) {
          const append = file(files, `/diskless/pxelinux.cfg/${pxelinuxName(slave.mac)}`).split('\n').find((l) => l.trim().startsWith('APPEND'));
          assert.match(append ?? '', new RegExp(`root=/dev/nfs nfsroot=${master.lan.address}:/diskless/${slave.ip},tcp,vers=3( |$)`));
        }
        assert.match(file(files, '/diskless/pxelinux.cfg/default'), /LOCALBOOT/);
      }
    });

    it('exports each slave root to that slave alone in ganesha.conf, with unique export ids', async () => {
      for (const master of inventory.masters) {
        const conf = file(await render(inventory, master, family), '/etc/ganesha/ganesha.conf');
        const ids = [...conf.matchAll(/Export_Id = (\d+);/g)].map((m) => m[1]);
        assert.equal(new Set(ids).size, ids.length, `duplicate Export_Id in ${ids.join(', ')}`);
        assert.equal(ids.length, master.slaves.length + Object.keys(master.nfs.shared).length);
        for (const slave of master.slaves) {
          assert.match(conf, new RegExp(`Path = /diskless/${slave.ip};[^]*?Access_Type = None;[^]*?Clients = ${slave.ip};\\s+Access_Type = RW;\\s+Squash = No_Root_Squash;`));
        }
      }
    });

    it('installs an NFS-Ganesha init script for the init system that runs', async () => {
      const [master] = inventory.masters;
      const script = file(await render(inventory, master, family), '/etc/init.d/nfs-ganesha-diskless');
      if (family === 'debian') {
        assert.match(script, /^#!\/bin\/sh\n### BEGIN INIT INFO/);
        const syntax = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
        assert.equal(syntax.status, 0, syntax.stderr);
      } else {
        assert.match(script, /^#!\/sbin\/openrc-run\n/);
        assert.match(script, /need net rpcbind/);
      }
    });

    it("writes each slave's fstab and its network configuration", async () => {
      const [master] = inventory.masters;
      const files = await render(inventory, master, family);
      for (const slave of master.slaves) {
        const fstab = file(files, `/diskless/${slave.ip}/etc/fstab`);
        assert.match(fstab, new RegExp(`^${master.lan.address}:/diskless/${slave.ip}\\t/\\tnfs\\trw,tcp,vers=3\\t`, 'm'));
        for (const [path, mode] of Object.entries(master.nfs.shared)) {
          assert.match(fstab, new RegExp(`^${master.lan.address}:${path}\\t${path}\\tnfs\\t${mode},`, 'm'));
        }
        if (family === 'debian') assert.doesNotMatch(file(files, `/diskless/${slave.ip}/etc/network/interfaces`), /^\s*(auto|allow-hotplug|iface)\s+eth0/m);
        else assert.match(file(files, `/diskless/${slave.ip}/etc/conf.d/net`), /^config_eth0="noop"$/m);
      }
    });
  });
}

describe('playbook templates for the kernel NFS server', () => {
  it('writes /etc/exports: each root rw to its slave, the shares to the LAN with root squashed', async () => {
    const inventory = await exampleInventory((doc) => {
      for (const m of Object.values<any>(doc.masters)) m.nfs.server = 'kernel';
    });
    const [master] = inventory.masters;
    const files = await render(inventory, master, 'debian');
    const exports = file(files, '/etc/exports');
    for (const slave of master.slaves) {
      assert.match(exports, new RegExp(`^/diskless/${slave.ip}\\t${slave.ip}\\(sync,rw,no_root_squash,`, 'm'));
    }
    const lan = `${master.lan.network}/${master.lan.prefix}`;
    for (const [path, mode] of Object.entries(master.nfs.shared)) {
      assert.match(exports, new RegExp(`^${path}\\t${lan}\\(sync,${mode},root_squash,`, 'm'));
    }
    assert.match(file(files, '/etc/default/nfs-kernel-server'), new RegExp(`^RPCNFSDCOUNT=${Math.max(master.slaves.length, 8)}$`, 'm'));
    assert.equal(files.has('/etc/ganesha/ganesha.conf'), false);
  });
});

describe('nfs.sharedLog: each slave keeps its /var/log on the master', () => {
  const logDir = (slave: { name: string }) => `/var/log/diskless/${slave.name}`;
  const withServer = (server: string, sharedLog?: boolean) =>
    exampleInventory((doc) => {
      for (const m of Object.values<any>(doc.masters)) {
        m.nfs.server = server;
        if (sharedLog !== undefined) m.nfs.sharedLog = sharedLog;
      }
    });

  for (const server of ['ganesha', 'kernel'] as const) {
    for (const family of ['debian', 'gentoo'] as const) {
      it(`${server} server, ${family}: renders byte for byte the same files with sharedLog false as without it, none naming a log export`, async () => {
        const [absent, off] = await Promise.all([withServer(server), withServer(server, false)]);
        for (const [i, master] of absent.masters.entries()) {
          const without = await render(absent, master, family);
          const disabled = await render(off, off.masters[i], family);
          assert.deepEqual([...disabled.keys()].sort(), [...without.keys()].sort());
          for (const [path, content] of without) {
            assert.equal(disabled.get(path), content, `${master.name}: ${path}`);
            assert.doesNotMatch(content, /\/var\/log\/diskless/, `${master.name}: ${path}`);
          }
        }
      });
    }
  }

  it('ganesha: exports each log directory read-write to its slave alone, Export_Id 3<n>, Pseudo the path', async () => {
    const inventory = await withServer('ganesha', true);
    for (const master of inventory.masters) {
      const conf = file(await render(inventory, master, 'debian'), '/etc/ganesha/ganesha.conf');
      const ids = [...conf.matchAll(/Export_Id = (\d+);/g)].map((m) => m[1]);
      assert.equal(new Set(ids).size, ids.length, `duplicate Export_Id in ${ids.join(', ')}`);
      assert.equal(ids.length, 2 * master.slaves.length + Object.keys(master.nfs.shared).length);
      master.slaves.forEach((slave, n) => {
        const block = conf.split(/^EXPORT \{$/m).find((b) => b.includes(`Path = ${logDir(slave)};`));
        assert.ok(block, `${slave.name}: no export of ${logDir(slave)}`);
        assert.match(block, new RegExp(`^  Export_Id = 3${n};$`, 'm'));
        assert.match(block, new RegExp(`^  Pseudo = ${logDir(slave)};$`, 'm'));
        assert.match(block, /^  Access_Type = None;$/m);
        assert.match(block, new RegExp(`CLIENT \\{\\s+Clients = ${slave.ip.replace(/\./g, '\\.')};\\s+Access_Type = RW;\\s+Squash = No_Root_Squash;\\s+\\}`));
        assert.equal([...conf.matchAll(/Clients = ([^;]+);/g)].filter((m) => m[1] === slave.ip).length, 2, `${slave.name}: its root and its log, nothing more`);
      });
    }
  });

  it('kernel server: one /etc/exports line per log directory, rw and no_root_squash to its slave alone', async () => {
    const inventory = await withServer('kernel', true);
    for (const master of inventory.masters) {
      const exports = file(await render(inventory, master, 'gentoo'), '/etc/exports');
      const logLines = exports.split('\n').filter((l) => l.startsWith('/var/log/'));
      assert.deepEqual(logLines, master.slaves.map((s) => `${logDir(s)}\t${s.ip}(sync,rw,no_root_squash,no_all_squash,no_subtree_check)`));
    }
  });

  for (const server of ['ganesha', 'kernel'] as const) {
    it(`${server} server: each slave's fstab mounts its own log directory on /var/log with the inventory's options`, async () => {
      const inventory = await withServer(server, true);
      for (const master of inventory.masters) {
        const files = await render(inventory, master, 'debian');
        for (const slave of master.slaves) {
          const fstab = file(files, `/diskless/${slave.ip}/etc/fstab`);
          const mountPoints = fstab.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t')[1]);
          const logLines = fstab.split('\n').filter((l) => l.split('\t')[1] === '/var/log');
          assert.deepEqual(logLines, [`${master.lan.address}:${logDir(slave)}\t/var/log\tnfs\trw,${master.nfs.mountOptions}\t0 0`]);
          assert.ok(mountPoints.indexOf('/') < mountPoints.indexOf('/var/log'), `${slave.name}: / must be mounted before /var/log (${mountPoints.join(' ')})`);
        }
      }
    });
  }
});

describe('slave kernels per architecture', () => {
  /** The KERNEL line of a slave's pxelinux.cfg file, and its APPEND line. */
  const pxelinux = (files: Map<string, string>, mac: string) => {
    const text = file(files, `/diskless/pxelinux.cfg/${pxelinuxName(mac)}`);
    return { kernel: /^\s*KERNEL (\S+)$/m.exec(text)?.[1], append: /^\s*APPEND (.*)$/m.exec(text)?.[1] ?? '' };
  };
  /** The body of a slave's host block in dhcpd.conf. */
  const hostBlock = (conf: string, name: string) => new RegExp(`^host ${name} \\{\\n([^]*?)^\\}`, 'm').exec(conf)?.[1] ?? '';
  /** An x86_64 master on which mkelf-linux can make Etherboot images. */
  const withMkelf = { arch: 'x86_64', commands: { 'mkelf-linux': '/usr/bin/mkelf-linux' } };
  const setEtherboot = (doc: any, master: string, slave: string) => {
    doc.masters[master].slaves[slave].boot = 'etherboot';
    delete doc.masters[master].slaves[slave].firmware;
  };
  const setArchs = (doc: any, master: string, archs: Record<string, string | undefined>) => {
    for (const [slave, arch] of Object.entries(archs)) {
      if (arch === undefined) delete doc.masters[master].slaves[slave].arch;
      else doc.masters[master].slaves[slave].arch = arch;
    }
  };

  it("gives each slave its own architecture's kernel when a master's slaves differ, and dhcpd accepts the file", async () => {
    // master-a: slave21 (PXE, no arch: the master's x86_64), slave22 (Etherboot, i686), slave23 (PXE, aarch64).
    const inventory = await exampleInventory((doc) => {
      setEtherboot(doc, 'master-a', 'slave22');
      setArchs(doc, 'master-a', { slave22: 'i686', slave23: 'aarch64' });
    });
    const [mixed, plain] = inventory.masters;
    const files = await render(inventory, mixed, 'debian', withMkelf);
    assert.equal(pxelinux(files, '02:00:0a:01:00:21').kernel, 'bzImage_x86_64');
    assert.doesNotMatch(pxelinux(files, '02:00:0a:01:00:21').append, /initrd=/);
    // arm64 boots UEFI only: GRUB, no pxelinux.cfg file.
    assert.equal(files.has(`/diskless/pxelinux.cfg/${pxelinuxName('02:00:0a:01:00:23')}`), false);
    const arm64Grub = file(files, `/diskless/grub/grub.cfg-${pxelinuxName('02:00:0a:01:00:23')}`);
    assert.match(arm64Grub, /^\s*linux \/bzImage_aarch64 /m);
    assert.doesNotMatch(arm64Grub, /^\s*initrd /m, 'one initramfs serves one architecture');

    const conf = file(files, '/etc/dhcp/dhcpd.conf');
    assert.match(hostBlock(conf, 'slave22'), /^\s*filename "vmlinuz_i686\.elf";$/m);
    assert.doesNotMatch(hostBlock(conf, 'slave21'), /filename/, "a PXE slave of firmware auto keeps the class's choice");
    assert.match(hostBlock(conf, 'slave23'), /if option client-arch = 00:0b \{\s*filename "grub\/arm64-efi\/core\.efi";\s*\}/, 'an arm64 slave gets the arm64 loader');
    assert.match(conf, /class "etherboot" \{[^}]*filename "vmlinuz\.elf";/s, 'unknown Etherboot clients keep the class default');
    if (existsSync(DHCPD)) {
      const path = join(scratch, 'mixed-dhcpd.conf');
      writeFileSync(path, conf);
      const check = spawnSync(DHCPD, ['-t', '-4', '-cf', path], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stderr);
    }

    // master-b names no arch: one kernel, bzImage, as before.
    const plainFiles = await render(inventory, plain, 'debian', { arch: 'x86_64' });
    for (const slave of plain.slaves.filter((s) => s.boot === 'pxe')) assert.equal(pxelinux(plainFiles, slave.mac).kernel, 'bzImage');
    assert.doesNotMatch(file(plainFiles, '/etc/dhcp/dhcpd.conf'), /^\s+filename "vmlinuz_/m);
  });

  it("takes the master's own architecture from kernel.arch when the agent reports none", async () => {
    const inventory = await exampleInventory((doc) => {
      doc.masters['master-a'].kernel = { arch: 'i686' };
      setEtherboot(doc, 'master-a', 'slave22');
      setArchs(doc, 'master-a', { slave23: 'x86_64' });
    });
    const files = await render(inventory, inventory.masters[0], 'gentoo', { commands: withMkelf.commands });
    assert.equal(pxelinux(files, '02:00:0a:01:00:21').kernel, 'bzImage_i686');
    assert.equal(pxelinux(files, '02:00:0a:01:00:23').kernel, 'bzImage_x86_64');
    assert.match(hostBlock(file(files, '/etc/dhcp/dhcpd.conf'), 'slave22'), /filename "vmlinuz_i686\.elf";/);
  });

  it('keeps bzImage when all slaves have one architecture, named or not', async () => {
    const inventory = await exampleInventory((doc) => {
      setArchs(doc, 'master-a', { slave21: 'x86_64', slave23: 'x86_64' }); // slave22: none, i.e. the master's x86_64
      setArchs(doc, 'master-b', { slave31: 'i686', slave32: 'i686', slave33: 'i686' }); // all the same foreign arch
    });
    for (const master of inventory.masters) {
      const files = await render(inventory, master, 'debian', { arch: 'x86_64' });
      for (const slave of master.slaves.filter((s) => s.boot === 'pxe' && s.firmware !== 'uefi')) assert.equal(pxelinux(files, slave.mac).kernel, 'bzImage', `${master.name}/${slave.name}`);
      assert.doesNotMatch(file(files, '/etc/dhcp/dhcpd.conf'), /^\s+filename "vmlinuz_/m);
    }
  });
});

describe('firmware per slave', () => {
  /** master-a: slave21 auto, slave22 uefi, slave23 auto with its own interface name; master-b defaults to uefi, slave31 auto, slave33 bios. */
  const firmwareInventory = () =>
    exampleInventory((doc) => {
      doc.masters['master-a'].slaves.slave23.interface = 'enp3s0';
      doc.masters['master-b'].boot = { firmware: 'uefi' };
      doc.masters['master-b'].slaves.slave31.firmware = 'auto';
    });
  const hostFilename = (conf: string, name: string) => new RegExp(`^host ${name} \\{\\n[^]*?^\\}`, 'm').exec(conf)?.[0].match(/^\s*filename "([^"]+)";/m)?.[1];
  const linuxArgs = (grubCfg: string) => /^\s*linux \/\S+ (.*)$/m.exec(grubCfg)?.[1];
  const appendArgs = (pxelinuxCfg: string) => /^\s*APPEND (.*)$/m.exec(pxelinuxCfg)?.[1]?.replace(/ initrd=\S+/, '');

  it("fixes the loader in the host entry only where the inventory fixes the firmware, and dhcpd accepts it", async () => {
    const inventory = await firmwareInventory();
    const expected: Record<string, string | undefined> = {
      slave21: undefined, slave22: 'grub/x86_64-efi/core.efi', slave23: undefined,
      slave31: undefined, slave32: 'grub/x86_64-efi/core.efi', slave33: 'pxelinux.0',
    };
    for (const master of inventory.masters) {
      const conf = file(await render(inventory, master, 'debian'), '/etc/dhcp/dhcpd.conf');
      for (const slave of master.slaves) assert.equal(hostFilename(conf, slave.name), expected[slave.name], slave.name);
      if (!existsSync(DHCPD)) continue;
      const path = join(scratch, `firmware-${master.name}-dhcpd.conf`);
      writeFileSync(path, conf);
      const check = spawnSync(DHCPD, ['-t', '-4', '-cf', path], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stderr);
    }
  });

  it('writes a pxelinux.cfg file for each slave that may boot BIOS and a grub.cfg for each that may boot UEFI, with one command line', async () => {
    const inventory = await firmwareInventory();
    for (const master of inventory.masters) {
      const files = await render(inventory, master, 'debian');
      for (const slave of master.slaves) {
        const pxe = files.get(`/diskless/pxelinux.cfg/${pxelinuxName(slave.mac)}`);
        const grub = files.get(`/diskless/grub/grub.cfg-${pxelinuxName(slave.mac)}`);
        assert.equal(pxe !== undefined, slave.firmware !== 'uefi', `${slave.name} (${slave.firmware}): pxelinux.cfg`);
        assert.equal(grub !== undefined, slave.firmware !== 'bios', `${slave.name} (${slave.firmware}): grub.cfg`);
        const args = grub ? linuxArgs(grub) : appendArgs(pxe!);
        assert.match(args ?? '', new RegExp(`root=/dev/nfs nfsroot=${master.lan.address}:/diskless/${slave.ip},tcp,vers=3 `), slave.name);
        if (pxe && grub) assert.equal(linuxArgs(grub), appendArgs(pxe), `${slave.name}: GRUB and PXELINUX boot different command lines`);
        if (slave.name === 'slave23') {
          assert.match(args ?? '', /^ip=:::::enp3s0:dhcp /);
          assert.doesNotMatch(args ?? '', /net\.ifnames/);
        } else {
          assert.match(args ?? '', /^ip=dhcp .* net\.ifnames=0 /);
        }
      }
      assert.match(file(files, '/diskless/grub/grub.cfg'), /^exit$/m, 'an unknown UEFI machine goes back to its firmware');
    }
  });
});

describe('the slave kernel script', () => {
  it('is valid sh', () => {
    const syntax = spawnSync('sh', ['-n', join(repo, 'playbooks/templates/diskless-slave-kernel.sh.hbs')], { encoding: 'utf8' });
    assert.equal(syntax.status, 0, syntax.stderr);
  });
});
