// boot.transport http on a lab master: iPXE, loaded over TFTP, fetches each slave's
// script, kernel and initramfs from the master's lighttpd. Checked with real clients
// from the slaves' namespaces: DHCP (BIOS, UEFI and iPXE requests), TFTP and HTTP; the
// web server serves the boot files to the LAN and nothing of a slave's root. The
// kernel and initramfs are fetched over TFTP and over HTTP and the times printed
// (docs/firmware.md keeps the figures; nothing is asserted on them).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeManagementNetwork, type Lab, labDown, labUp, masterRootPath, writeLabInventory } from '../lab/index.js';
import { apply, type ApplyReport, ClientScratch, DHCP_CLIENTS, dhcpLease, expectedLoader, failures, httpGet, repoRoot, tftpGet } from './slave-clients.js';

const LAB = 'http';
const MASTER = 'master-a';
/** Firmware of the three slaves: the master's default (auto), fixed uefi, fixed bios. */
const FIRMWARE: Record<string, 'auto' | 'uefi' | 'bios'> = { slave21: 'auto', slave22: 'uefi', slave23: 'bios' };
const IPXE_BIOS = 'ipxe/undionly.kpxe';
const IPXE_UEFI = 'ipxe/snponly.efi';

describe('boot.transport http: iPXE fetches the kernel and initramfs from the master over HTTP (lab)', function () {
  this.timeout(15 * 60_000);
  const scratchDir = mkdtempSync(join(tmpdir(), 'diskless-http-boot-'));
  const clients = new ClientScratch();
  let lab: Lab | undefined;
  let inventoryFile: string;
  let playbook: string;
  let first: ApplyReport;
  let master: { lan: { address: string }; slaves: Record<string, { mac: string; ip: string }> };

  const onDisk = (path: string) => readFileSync(join(masterRootPath(lab!, MASTER), path));
  const who = (slave: string) => `${MASTER}/${slave}`;
  const scriptName = (mac: string) => `ipxe/01-${mac.toLowerCase().replace(/:/g, '-')}.ipxe`;
  const url = (path: string) => `http://${master.lan.address}/${path}`;

  before(async () => {
    const gateway = await freeManagementNetwork();
    inventoryFile = writeLabInventory(join(repoRoot, 'examples/lab/inventory.json'), scratchDir, gateway, (inv) => {
      delete inv.masters['master-b'];
      const a = inv.masters[MASTER] as any;
      a.boot = { transport: 'http' };
      for (const [name, firmware] of Object.entries(FIRMWARE)) {
        if (firmware === 'auto') delete a.slaves[name].firmware;
        else a.slaves[name].firmware = firmware;
      }
    });
    master = JSON.parse(readFileSync(inventoryFile, 'utf8')).masters[MASTER];
    // What a slave needs to be handed its kernel: the NFS roots are another test's.
    playbook = join(scratchDir, 'boot-files.json');
    writeFileSync(playbook, JSON.stringify(['master-kernel.json', 'dhcp.json', 'tftp.json', 'http.json'].map((p) => ({ import_playbook: join(repoRoot, 'playbooks', p) }))));
    await labDown({ name: LAB });
    lab = await labUp({ inventoryFile, name: LAB, managementCidr: `${gateway}/24` });
    first = await apply(playbook, inventoryFile);
  });

  after(async () => {
    clients.remove();
    await labDown({ name: LAB });
    rmSync(scratchDir, { recursive: true, force: true });
  });

  it('applies the kernel, dhcp, tftp and http playbooks without a failure', () => {
    assert.equal(first.code, 0, failures(first));
    const ran = first.hosts[MASTER].tasks.filter((t) => t.playbook === 'http' && t.status !== 'skipped').map((t) => t.name);
    assert.ok(ran.includes('Start lighttpd at boot and now'), `the http playbook did not run: ${ran.join(', ')}`);
  });

  it("hands PXE firmware iPXE for its architecture (or the slave's fixed firmware), and iPXE the slave's own script URL", async () => {
    for (const [name, firmware] of Object.entries(FIRMWARE)) {
      const slave = master.slaves[name];
      for (const client of [DHCP_CLIENTS.biosPxe, DHCP_CLIENTS.uefiPxe]) {
        const lease = await dhcpLease(lab!, who(name), client, clients);
        const expected = expectedLoader(firmware, client.clientArch, { bios: IPXE_BIOS, uefi: IPXE_UEFI });
        assert.equal(lease?.ip, slave.ip, `${name} asking as architecture ${client.clientArch}`);
        assert.equal(lease?.bootFile, expected, `${name} (firmware ${firmware}) asking as architecture ${client.clientArch}`);
      }
      for (const client of [DHCP_CLIENTS.ipxeBios, DHCP_CLIENTS.ipxeUefi]) {
        const lease = await dhcpLease(lab!, who(name), client, clients);
        assert.equal(lease?.bootFile, url(scriptName(slave.mac)), `${name} asking as iPXE`);
      }
      const plain = await dhcpLease(lab!, who(name), DHCP_CLIENTS.plain, clients);
      assert.equal(plain?.ip, slave.ip, `${name}: a plain DHCP request got no fixed address`);
    }
  });

  it("serves iPXE by TFTP as Debian's ipxe package ships it", async () => {
    const name = 'slave21';
    assert.ok(await dhcpLease(lab!, who(name), DHCP_CLIENTS.biosPxe, clients));
    for (const file of [IPXE_BIOS, IPXE_UEFI]) {
      const fetched = await tftpGet(lab!, who(name), master.lan.address, file, clients);
      assert.ok(fetched?.equals(readFileSync(`/usr/lib/ipxe/${file.split('/')[1]}`)), `${file} over TFTP differs from the package's`);
    }
  });

  it("serves each slave's script, kernel and initramfs over HTTP", async () => {
    for (const name of Object.keys(FIRMWARE)) {
      const slave = master.slaves[name];
      assert.ok(await dhcpLease(lab!, who(name), DHCP_CLIENTS.ipxeBios, clients));
      const script = await httpGet(lab!, who(name), url(scriptName(slave.mac)), clients);
      assert.ok(script.body, `${name}: no script: ${script.text}`);
      const text = script.body.toString();
      assert.match(text, /^#!ipxe\n/);
      assert.match(text, new RegExp(`^kernel ${url('bzImage').replace(/\./g, '\\.')} initrd=initrd\\.img ip=dhcp root=/dev/nfs nfsroot=${master.lan.address}:/diskless/${slave.ip},`, 'm'));
      assert.match(text, new RegExp(`^initrd ${url('initrd.img').replace(/\./g, '\\.')}$`, 'm'));
      assert.match(text, /^boot$/m);
    }
    const kernel = await httpGet(lab!, who('slave21'), url('bzImage'), clients);
    assert.ok(kernel.body?.equals(onDisk('diskless/bzImage')), `bzImage over HTTP differs from the master's: ${kernel.text}`);
  });

  it("refuses over HTTP everything but the boot files: a slave's root, other files under /diskless, escapes", async () => {
    const name = 'slave21';
    const { ip } = master.slaves[name];
    assert.ok(await dhcpLease(lab!, who(name), DHCP_CLIENTS.ipxeBios, clients));
    for (const path of [`${ip}/etc/hostname`, `${ip}/etc/shadow`, `${ip}/`, '', 'pxelinux.cfg/default', 'grub/grub.cfg', IPXE_BIOS, `ipxe/../${ip}/etc/hostname`, `%2e%2e/${ip}/etc/hostname`, '..%2fetc/passwd']) {
      const r = await httpGet(lab!, who(name), url(path), clients);
      assert.equal(r.body, null, `/${path} was served`);
      assert.match(r.text, /40[34]/, `/${path}: ${r.text}`);
    }
  });

  it('fetches the kernel and initramfs over TFTP and over HTTP (times printed)', async () => {
    const name = 'slave21';
    assert.ok(await dhcpLease(lab!, who(name), DHCP_CLIENTS.biosPxe, clients));
    const size = onDisk('diskless/bzImage').length + onDisk('diskless/initrd.img').length;
    const time = async (fetch: (file: string) => Promise<Buffer | null>) => {
      const started = performance.now();
      for (const file of ['bzImage', 'initrd.img']) assert.ok(await fetch(file), `no ${file}`);
      return (performance.now() - started) / 1000;
    };
    const tftp = await time((file) => tftpGet(lab!, who(name), master.lan.address, file, clients));
    const http = await time(async (file) => (await httpGet(lab!, who(name), url(file), clients)).body);
    const mb = size / 1e6;
    console.log(`      ${mb.toFixed(1)} MB kernel+initramfs: TFTP ${tftp.toFixed(2)} s (${(mb / tftp).toFixed(1)} MB/s), HTTP ${http.toFixed(2)} s (${(mb / http).toFixed(1)} MB/s)`);
  });

  it('changes nothing on a second apply', async () => {
    const again = await apply(playbook, inventoryFile);
    assert.equal(again.code, 0, failures(again));
    const changed = again.hosts[MASTER].tasks.filter((t) => t.changed).map((t) => `${t.playbook} / ${t.name}`);
    assert.deepEqual(changed, []);
  });
});
