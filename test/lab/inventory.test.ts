import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMasters, readLabInventory } from './inventory.js';

const file = '/srv/inv/inventory.json';
const master = (extra: Record<string, unknown> = {}) => ({
  ssh: { host: '10.231.0.11' },
  lan: { interface: 'lan0', address: '192.168.1.1', prefix: 24 },
  slaves: { s1: { mac: '02:00:0A:01:00:21', ip: '192.168.1.21' } },
  ...extra,
});

describe('lab inventory', () => {
  it('reads the example inventory', () => {
    const example = fileURLToPath(new URL('../../examples/lab/inventory.json', import.meta.url));
    const inv = readLabInventory(example);
    assert.deepEqual(inv.masters.map((m) => m.name), ['master-a', 'master-b']);
    assert.deepEqual(inv.masters.map((m) => m.slaves.length), [3, 3]);
    assert.equal(inv.masters[0].ssh.privateKey, `${homedir()}/.ssh/diskless_lab_ed25519`);
  });

  it('merges defaults.ssh, lowercases MACs and resolves paths against the inventory', () => {
    const [m] = parseMasters({ defaults: { ssh: { privateKey: 'keys/lab', knownHosts: '~/kh', port: 2222 } }, masters: { a: master() } }, file);
    assert.equal(m.ssh.privateKey, '/srv/inv/keys/lab');
    assert.equal(m.ssh.knownHosts, `${homedir()}/kh`);
    assert.equal(m.ssh.port, 2222);
    assert.equal(m.slaves[0].mac, '02:00:0a:01:00:21');
  });

  it('names the file and JSON pointer of a bad value', () => {
    assert.throws(() => parseMasters({ masters: { a: master({ ssh: { host: '10.231.0' } }) } }, file), /\/srv\/inv\/inventory.json at \/masters\/a\/ssh\/host: must be an IPv4 address/);
    assert.throws(() => parseMasters({ masters: { a: master({ slaves: { s1: { mac: '02:00' } } }) } }, file), /at \/masters\/a\/slaves\/s1\/mac: must look like/);
    assert.throws(() => parseMasters({ masters: { '../x': master() } }, file), /at \/masters\/..\/x: master name/);
    assert.throws(() => parseMasters({ masters: {} }, file), /at \/masters: no masters/);
  });

  it('refuses a MAC or ssh host used twice', () => {
    assert.throws(() => parseMasters({ masters: { a: master(), b: master({ ssh: { host: '10.231.0.12' } }) } }, file), /at \/masters\/b\/slaves\/s1\/mac: MAC 02:00:0a:01:00:21 is also used at \/masters\/a\/slaves\/s1\/mac/);
    assert.throws(() => parseMasters({ masters: { a: master(), b: master({ slaves: {} }) } }, file), /ssh host 10.231.0.11 is also used/);
  });

  it('names the file it cannot read or parse', () => {
    assert.throws(() => readLabInventory('/nonexistent/inventory.json'), /\/nonexistent\/inventory.json: cannot read the inventory \(ENOENT\)/);
    const dir = mkdtempSync(join(tmpdir(), 'lab-inv-'));
    try {
      writeFileSync(join(dir, 'broken.json'), '{ "masters": { ');
      assert.throws(() => readLabInventory(join(dir, 'broken.json')), /broken.json: not valid JSON: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
