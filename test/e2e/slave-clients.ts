// Real DHCP, TFTP and NFS clients run from a slave's namespace in the lab, and the
// `diskless` CLI run as a user would: what the playbook tests look through.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Lab, labExec } from '../lab/index.js';

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `diskless <args>` from the repository root. */
export function diskless(args: string[], timeoutMs = 15 * 60_000): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'packages/controller/bin/run.js'), ...args],
      { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

export interface TaskReport {
  playbook: string;
  name: string;
  status: string;
  changed: boolean;
  msg?: string;
  handler?: boolean;
}

export interface HostRecap {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: boolean;
  tasks: TaskReport[];
}

export interface ApplyReport {
  code: number;
  stderr: string;
  hosts: Record<string, HostRecap>;
}

/** `diskless apply ... --json`, its exit code and its parsed report. */
export async function apply(playbook: string, inventory: string, extra: string[] = []): Promise<ApplyReport> {
  const r = await diskless(['apply', playbook, '-i', inventory, '--json', ...extra]);
  let doc: { hosts?: Record<string, HostRecap> };
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new Error(`diskless apply exited ${r.code} without a JSON report:\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, stderr: r.stderr, hosts: doc.hosts ?? {} };
}

/** A summary of failed tasks, for assertion messages. */
export function failures(report: ApplyReport): string {
  const lines = Object.entries(report.hosts).flatMap(([host, h]) =>
    h.tasks.filter((t) => t.status === 'failed').map((t) => `${host}: ${t.playbook} / ${t.name}: ${t.msg ?? ''}`),
  );
  return lines.join('\n') || report.stderr;
}

export interface Lease {
  ip: string;
  siaddr: string;
  bootFile: string;
  hostname: string;
}

/** Scratch files the clients share (the DHCP event script, fetched files). */
export class ClientScratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'diskless-clients-'));
  readonly dhcpScript = join(this.dir, 'udhcpc-event.sh');

  constructor() {
    // udhcpc calls this on a lease: print what was offered and take the address.
    writeFileSync(
      this.dhcpScript,
      [
        '#!/bin/sh',
        'case "$1" in',
        '  bound|renew)',
        '    echo "lease ip=$ip siaddr=$siaddr boot_file=$boot_file hostname=$hostname"',
        '    ip addr flush dev "$interface"',
        '    ip addr add "$ip/$mask" dev "$interface" ;;',
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(this.dhcpScript, 0o755);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** DHCP requests as each kind of client sends them: vendor class and option 93 (client architecture). */
export const DHCP_CLIENTS = {
  /** A BIOS PXE ROM. */
  biosPxe: { vendorClass: 'PXEClient:Arch:00000:UNDI:002001', clientArch: 0 },
  /** x86-64 UEFI firmware's PXE (OVMF sends this vendor class). */
  uefiPxe: { vendorClass: 'PXEClient:Arch:00007:UNDI:003016', clientArch: 7 },
  /** arm64 UEFI firmware's PXE. */
  arm64UefiPxe: { vendorClass: 'PXEClient:Arch:00011:UNDI:003000', clientArch: 11 },
  /** iPXE loaded by BIOS PXE: the same vendor class, and user class "iPXE" (option 77). */
  ipxeBios: { vendorClass: 'PXEClient:Arch:00000:UNDI:002001', clientArch: 0, userClass: 'iPXE' },
  /** iPXE loaded by UEFI PXE. */
  ipxeUefi: { vendorClass: 'PXEClient:Arch:00007:UNDI:003016', clientArch: 7, userClass: 'iPXE' },
  /** The firmware after the loader, or the initramfs: no vendor class, no option 93. */
  plain: { vendorClass: '', clientArch: null },
} as const;

export type DhcpClient = { vendorClass: string; clientArch: number | null; userClass?: string };

/** The loader a PXE client of that architecture must be handed: the slave's fixed firmware, else the client's word. */
export function expectedLoader(firmware: 'auto' | 'bios' | 'uefi', clientArch: number, loaders: { bios: string; uefi: string }): string {
  if (firmware === 'bios') return loaders.bios;
  if (firmware === 'uefi') return loaders.uefi;
  return clientArch === 0 ? loaders.bios : loaders.uefi;
}

/**
 * Asks for a lease from the slave's namespace; null when no server answers. The client
 * is a vendor class alone (`PXEClient`, `Etherboot-5.4`) or a kind of DHCP_CLIENTS.
 */
export async function dhcpLease(lab: Lab, slave: string, client: string | DhcpClient, scratch: ClientScratch): Promise<Lease | null> {
  const { vendorClass, clientArch, userClass }: DhcpClient = typeof client === 'string' ? { vendorClass: client, clientArch: null } : client;
  // udhcpc -V '' sends no vendor class; -x 0x5d:<hex> sends option 93 as two bytes,
  // -x 0x4d:<hex> a user class as iPXE does (the bare text).
  const arch = clientArch === null ? [] : ['-x', `0x5d:${clientArch.toString(16).padStart(4, '0')}`];
  const user = userClass ? ['-x', `0x4d:${Buffer.from(userClass).toString('hex')}`] : [];
  const argv = ['busybox', 'udhcpc', '-i', 'eth0', '-V', vendorClass, ...arch, ...user, '-n', '-q', '-t', '4', '-T', '2', '-s', scratch.dhcpScript];
  const r = await labExec(lab, slave, argv, { timeoutMs: 30_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('lease '));
  if (!line) return null;
  const field = (k: string) => new RegExp(`${k}=(\\S*)`).exec(line)?.[1] ?? '';
  return { ip: field('ip'), siaddr: field('siaddr'), bootFile: field('boot_file'), hostname: field('hostname') };
}

/**
 * A stand-in for mkelf-linux (Gentoo's net-misc/mknbi; Debian packages none), to put in
 * a master's /usr/bin: it writes its arguments as the Etherboot image it is asked for.
 */
export const STAND_IN_MKELF_LINUX = '#!/bin/sh\nfor a; do case "$a" in --output=*) out="${a#--output=}";; esac; done\nprintf \'stand-in Etherboot image\\n%s\\n\' "$*" > "$out"\n';

/** Sets the MAC of the slave's eth0 (to pose as another machine on the LAN). */
export async function setSlaveMac(lab: Lab, slave: string, mac: string): Promise<void> {
  const r = await labExec(lab, slave, ['ip', 'link', 'set', 'dev', 'eth0', 'address', mac]);
  if (r.code !== 0) throw new Error(`cannot set the MAC of ${slave}: ${r.stderr}`);
}

/** Fetches a file by TFTP from the slave's namespace; null when the server refuses. */
export async function tftpGet(lab: Lab, slave: string, server: string, remote: string, scratch: ClientScratch): Promise<Buffer | null> {
  const local = join(scratch.dir, `tftp-${remote.replace(/\W/g, '_')}`);
  rmSync(local, { force: true });
  const r = await labExec(lab, slave, ['tftp', server, '-c', 'get', remote, local], { timeoutMs: 30_000 });
  if (r.code !== 0 || /error|timed out/i.test(r.stdout + r.stderr)) return null;
  try {
    return readFileSync(local);
  } catch {
    return null;
  }
}

/** Fetches a URL with busybox wget from the slave's namespace: the body, or the server's refusal (busybox 1.35's wget -T crashes: the exec's time limit stands in). */
export async function httpGet(lab: Lab, slave: string, url: string, scratch: ClientScratch): Promise<{ body: Buffer | null; text: string }> {
  const local = join(scratch.dir, 'http-get');
  rmSync(local, { force: true });
  const r = await labExec(lab, slave, ['busybox', 'wget', '-q', '-O', local, url], { timeoutMs: 30_000 });
  if (r.code !== 0) return { body: null, text: r.stdout + r.stderr };
  return { body: readFileSync(local), text: '' };
}

/** Reads a file over NFS (libnfs) from the slave's namespace. */
export async function nfsCat(lab: Lab, slave: string, url: string): Promise<{ ok: boolean; text: string }> {
  const r = await labExec(lab, slave, ['nfs-cat', url], { timeoutMs: 30_000 });
  return { ok: r.code === 0, text: r.code === 0 ? r.stdout : r.stdout + r.stderr };
}

/** Lists a directory over NFS from the slave's namespace. */
export async function nfsLs(lab: Lab, slave: string, url: string): Promise<{ ok: boolean; text: string }> {
  const r = await labExec(lab, slave, ['nfs-ls', url], { timeoutMs: 30_000 });
  return { ok: r.code === 0 && !/fail|error/i.test(r.stderr), text: r.stdout + r.stderr };
}

/**
 * Tries to write a file over NFS; nfs-cp exits 0 even when the server refuses, so
 * the answer is read from its output.
 */
export async function nfsWrite(lab: Lab, slave: string, url: string, scratch: ClientScratch): Promise<{ refused: boolean; text: string }> {
  const local = join(scratch.dir, 'nfs-write.txt');
  writeFileSync(local, 'written by a slave\n');
  const r = await labExec(lab, slave, ['nfs-cp', local, url], { timeoutMs: 30_000 });
  const text = r.stdout + r.stderr;
  return { refused: r.code !== 0 || /ERR|fail|denied/i.test(text), text };
}
