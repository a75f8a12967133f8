// Diskless slaves really boot: virtual machines with no disk, on a lab master's LAN
// with the MACs of slaves from the inventory, boot over the network from what
// `diskless apply playbooks/site.json` set up (DHCP, PXELINUX over TFTP on BIOS, GRUB
// on UEFI, the slave kernel and initramfs, the root over NFS), and each one's init
// prints a line that only that slave's root can produce.
//
// Needs root and qemu-system-x86_64; DISKLESS_SKIP_BOOT=1 skips it. A failed boot
// leaves the serial console and the master's logs in .lab/boot-failures/<time>/.
// DISKLESS_BOOT_SITE=path/to/site.json boots from another site playbook.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { freeManagementNetwork, type Lab, labDown, labExec, labUp, masterRootPath, writeLabInventory } from '../lab/index.js';
import { apply, type ApplyReport, failures, repoRoot } from '../e2e/slave-clients.js';
import { collectMasterEvidence, evidenceDir } from './evidence.js';
import { BootVm, OVMF_CODE } from './vm.js';
import { needs } from '../needs.js';

const LAB_NAME = 'boot';
const MASTER = 'master-a';
// Two slaves of the same master, booted at once (one core each under TCG): a BIOS
// machine (SeaBIOS, iPXE ROM, pxelinux.0) and a UEFI one (OVMF's own PXE, GRUB). The
// example inventory leaves slave21's firmware to auto and fixes slave22's to uefi.
const BOOTS = [
  { name: 'slave21', firmware: 'bios', loaderStarted: /iPXE/ },
  { name: 'slave22', firmware: 'uefi', loaderStarted: /NBP filename is grub\/x86_64-efi\/core\.efi/ },
] as const;
const SLAVES = BOOTS.map((b) => b.name);
const BOOT_TIMEOUT_MS = 8 * 60_000;
// Written into the slave's root before the boot; the slave's boot script prints it.
const TOKEN_FILE = 'etc/diskless-boot-token';
const MARKER = /diskless-boot: (\S+) (\S+)/;
// Lines after which the marker will never come: stop at once instead of at the time limit.
const BOOT_WENT_WRONG = /Kernel panic - not syncing|Dropping to a shell|You are in emergency mode|Give root password for maintenance/;
// Another site playbook to boot from (a copy being worked on), instead of the repository's.
const site = resolve(process.env.DISKLESS_BOOT_SITE ?? join(repoRoot, 'playbooks/site.json'));

interface SlaveEntry {
  mac: string;
  ip: string;
}

function whyNotRunnable(): string | null {
  if (process.getuid?.() !== 0) return 'the boot test needs root (network namespaces, tap devices)';
  try {
    execFileSync('sh', ['-c', 'command -v qemu-system-x86_64'], { stdio: 'ignore' });
  } catch {
    return 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86 ipxe-qemu)';
  }
  if (!existsSync(OVMF_CODE)) return `${OVMF_CODE} is missing: the UEFI machine needs OVMF (apt-get install ovmf)`;
  return null;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe('diskless slaves boot from a lab master', function () {
  this.timeout(20 * 60_000);
  const scratch = mkdtempSync(join(tmpdir(), 'diskless-boot-'));
  const serialLog = (slave: string) => join(scratch, `serial-${slave}.log`);
  const failureBase = join(repoRoot, '.lab/boot-failures');
  let lab: Lab | null = null;
  const vms: BootVm[] = [];
  let inventoryFile = '';
  let slaves: Record<string, SlaveEntry>;
  let report: ApplyReport | null = null;

  before(async function () {
    if (process.env.DISKLESS_SKIP_BOOT === '1') {
      console.log('      skipped: DISKLESS_SKIP_BOOT=1 leaves the boot test out');
      this.skip();
    }
    needs(this, whyNotRunnable());
    // One master keeps the apply short; its slaves are the example's.
    const gateway = await freeManagementNetwork();
    inventoryFile = writeLabInventory(join(repoRoot, 'examples/lab/inventory.json'), scratch, gateway, (inventory) => {
      inventory.masters = { [MASTER]: inventory.masters[MASTER] };
    });
    slaves = JSON.parse(readFileSync(inventoryFile, 'utf8')).masters[MASTER].slaves as Record<string, SlaveEntry>;
    await labDown({ name: LAB_NAME });
    lab = await labUp({ inventoryFile, name: LAB_NAME, managementCidr: `${gateway}/24` });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !lab) return;
    await Promise.all(vms.map((vm) => vm.stop())); // so the serial logs are complete
    const dir = evidenceDir(failureBase);
    for (const name of SLAVES) {
      if (existsSync(serialLog(name))) cpSync(serialLog(name), join(dir, `serial-${name}.log`));
    }
    if (report) writeFileSync(join(dir, 'apply.json'), `${JSON.stringify(report, null, 2)}\n`);
    await collectMasterEvidence(lab, MASTER, dir);
    console.log(`      the serial console and ${MASTER}'s logs are kept in ${dir}`);
  });

  after(async () => {
    await Promise.all(vms.map((vm) => vm.stop()));
    if (lab) await labDown({ name: LAB_NAME });
    rmSync(scratch, { recursive: true, force: true });
  });

  it(`applies ${site.startsWith(`${repoRoot}/`) ? relative(repoRoot, site) : site} to the master`, async () => {
    const started = Date.now();
    report = await apply(site, inventoryFile);
    console.log(`      apply took ${seconds(Date.now() - started)}`);
    assert.equal(report.code, 0, failures(report));
    const root = masterRootPath(lab!, MASTER);
    for (const file of ['pxelinux.0', 'ldlinux.c32', 'bzImage', 'grub/x86_64-efi/core.efi']) {
      assert.ok(readFileSync(join(root, 'diskless', file)).length > 0, `${MASTER}: /diskless/${file} is empty`);
    }
  });

  it(`boots ${SLAVES.join(' and ')} at once over the network into init on their own NFS roots`, async () => {
    assert.equal(report?.code, 0, 'the apply failed: nothing to boot from');
    const master = lab!.masters.find((m) => m.name === MASTER)!;
    const boots = await Promise.allSettled(
      BOOTS.map(async ({ name, firmware, loaderStarted }, index) => {
        const slave = slaves[name];
        const token = randomBytes(12).toString('hex');
        writeFileSync(join(masterRootPath(lab!, MASTER), 'diskless', slave.ip, TOKEN_FILE), `${token}\n`);
        // The lab's stand-in for the slave carries the same MAC: take it off the LAN.
        const standIn = await labExec(lab!, `${MASTER}/${name}`, ['ip', 'link', 'set', 'eth0', 'down']);
        assert.equal(standIn.code, 0, `${name}: ${standIn.stderr}`);

        const vm = new BootVm({
          netns: master.netns,
          bridge: master.lan.interface,
          tap: `boottap${index}`,
          mac: slave.mac,
          serialLog: serialLog(name),
          firmware,
          uefiVars: join(scratch, `ovmf-vars-${name}.fd`),
        });
        vms.push(vm);
        const started = Date.now();
        const serial = await vm.start();
        const since = () => seconds(Date.now() - started);
        const timeLeft = () => BOOT_TIMEOUT_MS - (Date.now() - started);
        try {
          await serial.waitForLine(loaderStarted, 90_000);
          const kernel = await serial.waitForLine(/Linux version \S+/, timeLeft());
          console.log(`      ${name} (${firmware}): kernel ${/Linux version (\S+)/.exec(kernel)![1]} started after ${since()}`);
          const line = await serial.waitForLine(MARKER, timeLeft(), BOOT_WENT_WRONG);
          console.log(`      ${name} (${firmware}): init on its NFS root printed its marker after ${since()}`);
          const [, hostname, printed] = MARKER.exec(line)!;
          assert.equal(hostname, name, `${name}'s marker names another host than its own /etc/hostname`);
          assert.equal(printed, token, `${name}'s marker carries another token than the one written into its root`);
        } catch (e) {
          throw new Error(`${name}: ${(e as Error).message}`, { cause: e });
        } finally {
          await vm.stop();
        }
      }),
    );
    const failed = boots.flatMap((b) => (b.status === 'rejected' ? [(b.reason as Error).message] : []));
    if (failed.length > 0) assert.fail(failed.join('\n\n'));
  });
});
