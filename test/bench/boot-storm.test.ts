// The boot storm's pure parts: the client script each slave runs, the line it answers
// with, and the table. The storm itself runs in the quick benchmark (test/bench/quick.test.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { clientScript, parseTimes, type StormFiles, type StormResults } from '../../bench/lib/boot-storm.js';
import { stormTable } from '../../bench/lib/storm-report.js';

const files: StormFiles = {
  server: '10.99.0.1',
  boot: [
    { name: 'bzImage', bytes: 8_000_000 },
    { name: 'initrd.img', bytes: 20_000_000 },
  ],
  usr: [{ path: "/usr/lib/it's.so", bytes: 1000 }],
};
const client = { target: 'spm/p1', ip: '10.99.0.20' };

describe('boot storm', () => {
  it('writes a client script bash accepts, for every transport', () => {
    for (const transport of ['tftp', 'tftp-blksize', 'http'] as const) {
      const script = clientScript(transport, client, files, '/tmp/x/barrier', '/tmp/x/events.sh');
      const r = spawnSync('bash', ['-n', '-c', script], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${transport}: ${r.stderr}`);
    }
  });

  it('fetches over the transport asked for, and asks for a block size only with tftp-blksize', () => {
    const tftp = clientScript('tftp', client, files, '/b', '/e');
    const blk = clientScript('tftp-blksize', client, files, '/b', '/e');
    const http = clientScript('http', client, files, '/b', '/e');
    assert.match(tftp, /get 8000000 'bzImage' busybox tftp -g -r 'bzImage' -l - '10\.99\.0\.1'/);
    assert.doesNotMatch(tftp, / -b /);
    assert.match(blk, /busybox tftp -g -b "\$blksize" -r 'initrd\.img'/);
    assert.match(http, /busybox wget -q -O - 'http:\/\/10\.99\.0\.1\/bzImage'/);
    assert.doesNotMatch(http, /tftp/);
    // Its own root only, and every file checked against the master's size.
    assert.match(http, /nfs-ls -R 'nfs:\/\/10\.99\.0\.1\/diskless\/10\.99\.0\.20'/);
    assert.match(http, /get 20000000 'initrd\.img' busybox wget/);
    // A quote in a path stays one shell word.
    assert.match(http, /get 1000 '\/usr\/lib\/it'\\''s\.so' nfs-cat 'nfs:\/\/10\.99\.0\.1\/usr\/lib\/it'\\''s\.so'/);
    // It waits at the barrier after saying it is ready.
    assert.ok(http.indexOf('echo ready') < http.indexOf("flock -s '/b' true"));
  });

  it('reads a client answer, and nothing else', () => {
    assert.deepEqual(parseTimes('times 12 3400 5000 36000000 1400 250 3'), { dhcpMs: 12, bootMs: 3400, rootMs: 5000, bytes: 36_000_000, rootEntries: 1400, cpuS: 2.5, retries: 3 });
    assert.equal(parseTimes('times 12 3400'), null);
    assert.equal(parseTimes('ready'), null);
  });

  it('tabulates one row per transport, with the block size used', () => {
    const summary = (median: number) => ({ median, min: median, max: median, samples: [median] });
    const run = (transport: 'tftp' | 'tftp-blksize', blksize: number | null) => ({
      transport,
      clients: 2,
      blksize,
      lastMs: 9000,
      doneMs: summary(8000),
      dhcpMs: summary(500),
      bootFilesMs: summary(6000),
      rootMs: summary(1500),
      bytesPerClient: 28_001_000,
      masterCpuS: 1.5,
      masterCpuByCommand: { 'in.tftpd': 1, 'ganesha.nfsd': 0.5 },
      clientsCpuS: 3,
      rootEntries: summary(1400),
      retries: 0,
    });
    const storm: StormResults = { clients: 2, mtu: 1500, files, runs: [run('tftp', null), run('tftp-blksize', 1468)] };
    const lines = stormTable(storm).split('\n').filter((l) => l.startsWith('| TFTP'));
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^\| TFTP, no blksize option \(512-byte blocks\) \| 9\.00 \| 8\.00 \(8\.00\) \|/);
    assert.match(lines[1], /MTU − 32\): 1468 \|/);
    assert.match(stormTable(storm), /2 slaves of one master boot at once/);
    assert.match(stormTable(storm), /- TFTP, no blksize option \(512-byte blocks\): in\.tftpd 1\.00, ganesha\.nfsd 0\.50/);
  });
});
