// A diskless virtual machine on a lab master's LAN: a tap device on the master's LAN
// bridge, and qemu (TCG, no disk, network boot) with the slave's MAC, BIOS or UEFI
// firmware, whose serial console is read line by line.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { run, runCommand } from '../lab/run.js';
import { SerialConsole } from './serial-console.js';

export interface VmOptions {
  /** The master's network namespace, where the LAN bridge lives. */
  netns: string;
  /** The master's LAN bridge. */
  bridge: string;
  /** The tap device to make on it (15 characters at most). */
  tap: string;
  mac: string;
  /** Where the serial console is copied as it arrives. */
  serialLog: string;
  memoryMb?: number;
  /** bios (SeaBIOS, the default) or uefi (OVMF); uefi needs `uefiVars`. */
  firmware?: 'bios' | 'uefi';
  /** A writable copy of OVMF's variable store, made at start and removed at stop. */
  uefiVars?: string;
}

/** Debian's ovmf package: the firmware code (read-only) and the template of its variable store. */
export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS.fd';

/** The qemu command line: TCG (KVM hangs on such machines), no disk, boot from the NIC. */
export function qemuArgv(opts: Pick<VmOptions, 'tap' | 'mac' | 'memoryMb' | 'firmware' | 'uefiVars'>): string[] {
  const common = ['qemu-system-x86_64', '-accel', 'tcg', '-m', String(opts.memoryMb ?? 768), '-nographic', '-no-reboot'];
  const netdev = ['-netdev', `tap,id=n0,ifname=${opts.tap},script=no,downscript=no`];
  const mac = opts.mac.toLowerCase();
  if (opts.firmware === 'uefi') {
    if (!opts.uefiVars) throw new Error('a UEFI machine needs a copy of the OVMF variable store (uefiVars)');
    return [
      ...common,
      '-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`,
      '-drive', `if=pflash,format=raw,file=${opts.uefiVars}`,
      ...netdev,
      // romfile= (empty): OVMF's own PXE client boots it, as on real UEFI hardware,
      // instead of an iPXE option ROM. OVMF tries the NIC by itself, no -boot n.
      '-device', `virtio-net-pci,romfile=,netdev=n0,mac=${mac}`,
    ];
  }
  return [
    ...common,
    '-boot', 'n',
    ...netdev,
    // e1000: qemu loads the iPXE option ROM from ipxe-qemu for it.
    '-device', `e1000,netdev=n0,mac=${mac}`,
  ];
}

export class BootVm {
  private child: ChildProcess | null = null;
  private tapMade = false;
  private console: SerialConsole | null = null;

  constructor(readonly opts: VmOptions) {}

  /** Makes the tap device on the LAN bridge and powers the machine on. */
  async start(): Promise<SerialConsole> {
    const { netns, tap, bridge } = this.opts;
    this.tapMade = true;
    await run(['ip', '-n', netns, 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
    await run(['ip', '-n', netns, 'link', 'set', tap, 'master', bridge, 'up']);
    if (this.opts.firmware === 'uefi' && this.opts.uefiVars) copyFileSync(OVMF_VARS, this.opts.uefiVars);
    // stdin stays an open pipe: -nographic puts the serial console and monitor on stdio.
    this.child = spawn('ip', ['netns', 'exec', netns, ...qemuArgv(this.opts)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.console = new SerialConsole(this.child, this.opts.serialLog);
    return this.console;
  }

  /** Powers the machine off (if it still runs) and removes the tap device. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGKILL');
      await gone;
    }
    await this.console?.close();
    if (this.tapMade) {
      await runCommand(['ip', '-n', this.opts.netns, 'link', 'del', this.opts.tap]);
      this.tapMade = false;
    }
    if (this.opts.uefiVars) rmSync(this.opts.uefiVars, { force: true });
  }
}
