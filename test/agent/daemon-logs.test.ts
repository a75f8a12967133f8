import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { decodeVendorClass, normalizeMac, parseDhcpdMessage } from '../../packages/agent/src/lib/dhcpd-message.js';
import { logLines } from '../../packages/agent/src/lib/log-lines.js';
import { establishedPeers } from '../../packages/agent/src/lib/proc-net-tcp.js';
import { SlaveActivity } from '../../packages/agent/src/lib/slave-activity.js';
import { parseSyslogLine } from '../../packages/agent/src/lib/syslog-line.js';
import { parseTftpdMessage } from '../../packages/agent/src/lib/tftpd-message.js';
import { MAX_UNKNOWN_CLIENTS, UnknownClients } from '../../packages/agent/src/lib/unknown-clients.js';
import { AgentProcess, expectOk } from './agent-process.js';

const PXE_HEX = Buffer.from('PXEClient:Arch:00007:UNDI:003016').toString('hex').match(/../g)!.join(':');
const now = new Date(2026, 10, 30, 12, 0, 0);
const lines = (text: string) => text.trim().split('\n').map((l) => parseSyslogLine(l, now)!);

async function collect(stream: Readable, max?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const line of logLines(stream, max)) out.push(line);
  return out;
}

describe('agent: daemon log parsing (untrusted text)', () => {
  describe('syslog lines', () => {
    it('reads RFC 3339, journalctl short-iso and yearless lines, with or without a facility', () => {
      assert.deepEqual(parseSyslogLine('2026-11-30T07:00:07.123456+00:00 master-a dhcpd[12]: DHCPACK on x', now), {
        at: new Date('2026-11-30T07:00:07.123Z'), program: 'dhcpd', message: 'DHCPACK on x' });
      assert.equal(parseSyslogLine('2026-11-30T08:00:07+0100 m in.tftpd[3]: RRQ', now)?.at.toISOString(), '2026-11-30T07:00:07.000Z');
      const bsd = parseSyslogLine('Nov 30 07:00:07 master-a daemon.info dhcpd: hello world', now)!;
      assert.deepEqual([bsd.program, bsd.message, bsd.at.getTime()], ['dhcpd', 'hello world', new Date(2026, 10, 30, 7, 0, 7).getTime()]);
    });

    it('puts a yearless date after today in last year', () => {
      assert.equal(parseSyslogLine('Dec 31 23:59:59 h dhcpd: x', now)?.at.getFullYear(), 2025);
    });

    it('refuses lines in no known format, and impossible dates', () => {
      for (const l of ['', 'garbage', 'Foo 30 07:00:07 h dhcpd: x', 'Feb 31 07:00:07 h dhcpd: x', '2026-13-45T99:00:00Z h dhcpd: x', 'Nov 30 07:00:07 a b c d dhcpd: x']) {
        assert.equal(parseSyslogLine(l, now), null, l);
      }
    });
  });

  describe('dhcpd messages', () => {
    it('reads the diskless-unknown line dhcpd.conf writes: MAC normalised, vendor class decoded, arch a number', () => {
      assert.deepEqual(parseDhcpdMessage(`diskless-unknown mac=2:0:E:0:0:7 arch=7 vc=${PXE_HEX}`), {
        kind: 'unknown', mac: '02:00:0e:00:00:07', arch: 7, vendorClass: 'PXEClient:Arch:00007:UNDI:003016' });
      assert.deepEqual(parseDhcpdMessage('diskless-unknown mac=2:0:e:0:0:7 arch=- vc=-'), { kind: 'unknown', mac: '02:00:0e:00:00:07', arch: null, vendorClass: null });
    });

    it('makes a vendor class printable and short, whatever bytes the client sent', () => {
      assert.equal(decodeVendorClass('61:20:a:1b:5b:33:31:6d:ff'), 'a ??[31m?');
      const long = Array.from({ length: 200 }, () => '41').join(':');
      assert.equal(decodeVendorClass(long), 'A'.repeat(64));
    });

    it('drops bad MACs, arch and vendor classes rather than guess', () => {
      for (const m of [
        'diskless-unknown mac=02:00:0e:00:00 arch=7 vc=-',
        'diskless-unknown mac=02:00:0e:00:00:07:08 arch=7 vc=-',
        'diskless-unknown mac=zz:00:0e:00:00:07 arch=7 vc=-',
        'diskless-unknown mac=02:00:0e:00:00:07 arch=99999 vc=-',
        'diskless-unknown mac=02:00:0e:00:00:07 arch=7 vc=PXEClient',
        'diskless-unknown mac=02:00:0e:00:00:07 arch=7 vc=- extra=1',
        'DHCPDISCOVER from 02:00:0e:00:00:0g via lan0',
      ]) assert.equal(parseDhcpdMessage(m), null, m);
      assert.equal(normalizeMac('02-00-0e-00-00-07'), null);
    });

    it("reads requests and answers, never a client's host name, even one posing as a MAC or an interface", () => {
      assert.deepEqual(parseDhcpdMessage('DHCPDISCOVER from 02:00:0e:00:00:07 via lan0: network 192.168.1.0/24: no free leases'), {
        kind: 'request', type: 'DHCPDISCOVER', mac: '02:00:0e:00:00:07', interface: 'lan0' });
      assert.deepEqual(parseDhcpdMessage('DHCPREQUEST for 192.168.1.21 (192.168.1.1) from 02:00:0a:01:00:21 (evil) via eth9 (x) via lan0'), {
        kind: 'request', type: 'DHCPREQUEST', mac: '02:00:0a:01:00:21', interface: 'lan0' });
      assert.deepEqual(parseDhcpdMessage('DHCPACK on 192.168.1.21 to 02:00:0a:01:00:21 (slave21) via lan0'), {
        kind: 'ack', mac: '02:00:0a:01:00:21', ip: '192.168.1.21', interface: 'lan0' });
      assert.equal(parseDhcpdMessage('DHCPACK on 192.168.1.300 to 02:00:0a:01:00:21 via lan0'), null);
      assert.equal((parseDhcpdMessage('DHCPDISCOVER from 02:00:0e:00:00:07 via lan0;rm-rf') as { interface: string | null }).interface, null);
    });
  });

  describe('tftpd and /proc/net/tcp', () => {
    it('reads RRQ lines, with an IPv4-mapped address too, and makes the file name printable', () => {
      assert.deepEqual(parseTftpdMessage('RRQ from 192.168.1.21 filename pxelinux.0'), { ip: '192.168.1.21', file: 'pxelinux.0' });
      assert.deepEqual(parseTftpdMessage('RRQ from ::ffff:192.168.1.21 filename a\u001b[2Jb'), { ip: '192.168.1.21', file: 'a?[2Jb' });
      assert.equal(parseTftpdMessage('RRQ from 192.168.1.999 filename x'), null);
      assert.equal(parseTftpdMessage('WRQ from 192.168.1.21 filename x'), null);
    });

    it('finds established connections to port 2049, IPv4 and IPv4-mapped IPv6', () => {
      const tcp = [
        '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
        '   0: 0101A8C0:0801 1501A8C0:03FF 01 00000000:00000000 00:00000000 00000000     0        0 1',
        '   1: 0101A8C0:0801 1601A8C0:03FE 0A 00000000:00000000 00:00000000 00000000     0        0 2',
        '   2: 0101A8C0:0016 1701A8C0:03FE 01 00000000:00000000 00:00000000 00000000     0        0 3',
      ].join('\n');
      assert.deepEqual(establishedPeers(tcp, 2049), ['192.168.1.21']);
      const tcp6 = 'header\n   0: 0000000000000000FFFF00000101A8C0:0801 0000000000000000FFFF00001801A8C0:0300 01 0:0 0:0 0 0 0 4';
      assert.deepEqual(establishedPeers(tcp6, 2049), ['192.168.1.24']);
      assert.deepEqual(establishedPeers('header\n junk\n\n', 2049), []);
    });
  });

  describe('log lines', () => {
    it('splits chunks anywhere, and skips a line too long whole, without keeping it', async () => {
      const chunks = ['one\ntw', 'o\n', 'x'.repeat(50), 'y'.repeat(60), '\nthree', '\n', 'last'];
      assert.deepEqual(await collect(Readable.from(chunks.map((c) => Buffer.from(c))), 100), ['one', 'two', 'three', 'last']);
    });

    it('streams a large file line by line', async () => {
      const big = Readable.from((function* () {
        for (let i = 0; i < 2000; i++) yield Buffer.from(`line ${i}\n`.repeat(100));
      })());
      let n = 0;
      for await (const _ of logLines(big)) n++;
      assert.equal(n, 200_000);
    });
  });

  describe('aggregation', () => {
    it('lists unknown MACs with interface, vendor class, arch, times and count; never a known one', () => {
      const clients = new UnknownClients(new Set(['02:00:0a:01:00:21']));
      for (const l of lines(`
Nov 30 07:00:01 m daemon.info dhcpd: diskless-unknown mac=2:0:e:0:0:7 arch=7 vc=${PXE_HEX}
Nov 30 07:00:01 m daemon.info dhcpd: DHCPDISCOVER from 02:00:0e:00:00:07 via lan0: unknown client
Nov 30 07:00:03 m daemon.info dhcpd: diskless-unknown mac=2:0:e:0:0:7 arch=- vc=-
Nov 30 07:00:03 m daemon.info dhcpd: DHCPDISCOVER from 02:00:0e:00:00:07 via lan0: unknown client
Nov 30 07:00:04 m daemon.info dhcpd: DHCPDISCOVER from 02:00:0a:01:00:21 via lan0
Nov 30 07:00:05 m daemon.info sshd: diskless-unknown mac=2:0:e:0:0:8 arch=0 vc=-
Nov 30 07:00:06 m daemon.info dhcpd: DHCPDISCOVER from 02:00:0e:00:00:09 via lan0: network 192.168.1.0/24: no free leases`)) clients.add(l);
      const t = (s: number) => new Date(2026, 10, 30, 7, 0, s).toISOString();
      assert.deepEqual(clients.list(), [
        { mac: '02:00:0e:00:00:07', interface: 'lan0', vendorClass: 'PXEClient:Arch:00007:UNDI:003016', arch: 7, firstSeen: t(1), lastSeen: t(3), count: 2 },
        { mac: '02:00:0e:00:00:09', interface: 'lan0', vendorClass: null, arch: null, firstSeen: t(6), lastSeen: t(6), count: 1 },
      ]);
    });

    it('stops following new MACs after a flood of them', () => {
      const clients = new UnknownClients(new Set());
      for (let i = 0; i < MAX_UNKNOWN_CLIENTS + 10; i++) {
        const mac = `02:00:00:00:${(i >> 8).toString(16)}:${(i & 255).toString(16)}`;
        clients.add({ at: now, program: 'dhcpd', message: `DHCPDISCOVER from ${mac} via lan0` });
      }
      assert.equal(clients.list().length, MAX_UNKNOWN_CLIENTS);
      assert.equal(clients.truncated, true);
    });

    it("keeps each slave's last DHCP answer and TFTP reads, from `since` on", () => {
      const activity = new SlaveActivity(
        [{ name: 's21', mac: '02:00:0a:01:00:21', ip: '192.168.1.21' }, { name: 's22', mac: '02:00:0a:01:00:22', ip: '192.168.1.22' }],
        new Date(2026, 10, 30, 7, 0, 2),
      );
      for (const l of lines(`
Nov 30 07:00:01 m dhcpd[1]: DHCPACK on 192.168.1.99 to 02:00:0a:01:00:22 via lan0
Nov 30 07:00:03 m dhcpd[1]: DHCPACK on 192.168.1.21 to 02:00:0A:01:00:21 (s21) via lan0
Nov 30 07:00:04 m in.tftpd[2]: RRQ from 192.168.1.21 filename pxelinux.0
Nov 30 07:00:05 m in.tftpd[2]: RRQ from 192.168.1.21 filename ldlinux.c32
Nov 30 07:00:05 m in.tftpd[2]: RRQ from 192.168.1.77 filename other`)) activity.add(l);
      assert.deepEqual(activity.dhcpOf('s21'), { at: new Date(2026, 10, 30, 7, 0, 3).toISOString(), ip: '192.168.1.21' });
      assert.deepEqual(activity.tftpOf('s21'), { at: new Date(2026, 10, 30, 7, 0, 5).toISOString(), files: ['pxelinux.0', 'ldlinux.c32'] });
      assert.equal(activity.dhcpOf('s22'), null, 'an answer before --since counts for nothing');
      assert.equal(activity.tftpOf('s22'), null);
    });
  });

  describe('the operations, on a log file', () => {
    let agent: AgentProcess;
    let dir: string;
    before(() => {
      agent = new AgentProcess();
      dir = mkdtempSync(join(tmpdir(), 'daemon-logs-'));
    });
    after(async () => {
      await agent.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('unknown_clients reads the file, with a huge line and garbage in it', async () => {
      const log = join(dir, 'syslog');
      writeFileSync(log, [
        `2026-11-30T07:00:01+00:00 m dhcpd[1]: diskless-unknown mac=2:0:e:0:0:7 arch=0 vc=${PXE_HEX}`,
        `2026-11-30T07:00:02+00:00 m dhcpd[1]: DHCPDISCOVER from 02:00:0e:00:00:07 via lan0: unknown client ${'x'.repeat(100_000)}`,
        '\u0000\u0001 binary junk',
        '2026-11-30T07:00:03+00:00 m dhcpd[1]: DHCPDISCOVER from 02:00:0e:00:00:07 via lan0: unknown client',
        '2026-11-30T07:00:04+00:00 m dhcpd[1]: DHCPDISCOVER from 02:00:0a:01:00:21 via lan0',
        '',
      ].join('\n'));
      const r = expectOk(await agent.request('unknown_clients', { known: ['02:00:0A:01:00:21'], logFiles: [join(dir, 'none'), log] })).data!;
      assert.equal(r.source, log);
      assert.deepEqual(r.unknown, [{ mac: '02:00:0e:00:00:07', interface: 'lan0', vendorClass: 'PXEClient:Arch:00007:UNDI:003016', arch: 0,
        firstSeen: '2026-11-30T07:00:01.000Z', lastSeen: '2026-11-30T07:00:03.000Z', count: 1 }]);
    });

    it('unknown_clients refuses a known entry that is not a MAC, naming it', async () => {
      const r = await agent.request('unknown_clients', { known: ['nope'], logFiles: [] });
      assert.equal(r.ok, false);
      assert.match((r as { error: { message: string } }).error.message, /"nope" in argument "known" is not a MAC/);
    });

    it("boot_status reads a slave's boot report, and not through a link the slave planted", async () => {
      mkdirSync(join(dir, 'roots/10.0.0.5/var/lib/diskless'), { recursive: true });
      writeFileSync(join(dir, 'roots/10.0.0.5/var/lib/diskless/booted'), '2026-11-30T07:00:00Z\n');
      utimesSync(join(dir, 'roots/10.0.0.5/var/lib/diskless/booted'), new Date('2026-11-30T07:00:00Z'), new Date('2026-11-30T07:00:00Z'));
      mkdirSync(join(dir, 'elsewhere/lib/diskless'), { recursive: true });
      writeFileSync(join(dir, 'elsewhere/lib/diskless/booted'), 'x');
      mkdirSync(join(dir, 'roots/10.0.0.6'), { recursive: true });
      symlinkSync(join(dir, 'elsewhere'), join(dir, 'roots/10.0.0.6/var'));
      const slaves = [{ name: 'up', mac: '02:00:00:00:00:05', ip: '10.0.0.5' }, { name: 'linked', mac: '02:00:00:00:00:06', ip: '10.0.0.6' }];
      const r = expectOk(await agent.request('boot_status', { slaves, logFiles: [join(dir, 'none')], disklessPath: join(dir, 'roots') })).data!;
      const report = r.slaves as Record<string, { booted: unknown }>;
      assert.deepEqual(report.up.booted, { at: '2026-11-30T07:00:00.000Z' });
      assert.equal(report.linked.booted, null);
    });

    it('boot_status reports a slave that did nothing with nulls', async () => {
      const r = expectOk(await agent.request('boot_status', { slaves: [{ name: 'idle', mac: '02:00:00:00:00:99', ip: '10.255.255.99' }], logFiles: [join(dir, 'none')], disklessPath: dir })).data!;
      assert.deepEqual((r.slaves as Record<string, unknown>).idle, { dhcp: null, tftp: null, nfs: null, booted: null });
    });
  });
});
