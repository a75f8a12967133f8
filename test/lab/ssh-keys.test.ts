import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { knownHostsName, replaceKnownHost } from './ssh-keys.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINEW root@master-a';

describe('lab known_hosts', () => {
  it('writes a port other than 22 in brackets', () => {
    assert.equal(knownHostsName('10.231.0.11', 22), '10.231.0.11');
    assert.equal(knownHostsName('10.231.0.11', 2222), '[10.231.0.11]:2222');
  });

  it('replaces entries for the same host and keeps the rest', () => {
    const before = ['# lab', '10.231.0.11 ssh-ed25519 OLD', 'other,10.231.0.11 ssh-rsa OLD2', '10.231.0.12 ssh-ed25519 KEEP', '10.231.0.111 ssh-ed25519 KEEP2', ''].join('\n');
    assert.equal(replaceKnownHost(before, '10.231.0.11', KEY), ['# lab', '10.231.0.12 ssh-ed25519 KEEP', '10.231.0.111 ssh-ed25519 KEEP2', '10.231.0.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINEW', ''].join('\n'));
  });

  it('replaces a hashed entry for the same host', () => {
    const salt = Buffer.from('0123456789abcdefghij');
    const hashed = (name: string) => `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
    const before = `${hashed('10.231.0.11')} ssh-ed25519 OLD\n${hashed('10.231.0.12')} ssh-ed25519 KEEP\n`;
    const after = replaceKnownHost(before, '10.231.0.11', KEY).split('\n');
    assert.deepEqual(after, [`${hashed('10.231.0.12')} ssh-ed25519 KEEP`, '10.231.0.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINEW', '']);
  });

  it('starts a missing file', () => {
    assert.equal(replaceKnownHost('', '10.231.0.11', KEY), '10.231.0.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINEW\n');
  });
});
