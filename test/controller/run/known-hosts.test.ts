import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendKnownHost,
  fingerprint,
  keysForHost,
  verifyHostKey,
} from '../../../packages/controller/src/transport/known-hosts.js';

/** Makes a real key pair with ssh-keygen; returns the public line and its blob. */
function makeKey(dir: string, type: 'ed25519' | 'rsa', name: string) {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', file]);
  const [keyType, base64] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  const sshFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' }).split(/\s+/)[1];
  return { keyType, base64, blob: Buffer.from(base64, 'base64'), sshFingerprint };
}

describe('known_hosts', () => {
  let dir: string;
  let ed: ReturnType<typeof makeKey>;
  let rsa: ReturnType<typeof makeKey>;
  let other: ReturnType<typeof makeKey>;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dl-kh-'));
    ed = makeKey(dir, 'ed25519', 'ed');
    rsa = makeKey(dir, 'rsa', 'rsa');
    other = makeKey(dir, 'ed25519', 'other');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('computes the fingerprint ssh-keygen prints', () => {
    assert.equal(fingerprint(ed.blob), ed.sshFingerprint);
    assert.equal(fingerprint(rsa.blob), rsa.sshFingerprint);
  });

  it('matches plain entries, comma lists and several key types per host', () => {
    const text = `# comment\nmaster-a,10.0.0.1 ${ed.keyType} ${ed.base64}\n10.0.0.1 ${rsa.keyType} ${rsa.base64} root@x\n`;
    assert.equal(keysForHost(text, '10.0.0.1', 22).length, 2);
    assert.deepEqual(verifyHostKey(text, '10.0.0.1', 22, ed.blob), { status: 'match' });
    assert.deepEqual(verifyHostKey(text, '10.0.0.1', 22, rsa.blob), { status: 'match' });
    assert.deepEqual(verifyHostKey(text, 'master-a', 22, ed.blob), { status: 'match' });
    assert.deepEqual(verifyHostKey(text, '10.0.0.2', 22, ed.blob), { status: 'unknown' });
  });

  it('keeps [host]:port entries apart from port 22', () => {
    const text = `[10.0.0.1]:2222 ${ed.keyType} ${ed.base64}\n`;
    assert.deepEqual(verifyHostKey(text, '10.0.0.1', 2222, ed.blob), { status: 'match' });
    assert.deepEqual(verifyHostKey(text, '10.0.0.1', 22, ed.blob), { status: 'unknown' });
  });

  it('matches hashed entries written by ssh-keygen -H', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `10.0.0.9 ${ed.keyType} ${ed.base64}\n[10.0.0.9]:2200 ${rsa.keyType} ${rsa.base64}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^\|1\|/);
    assert.doesNotMatch(text, /10\.0\.0\.9/);
    assert.deepEqual(verifyHostKey(text, '10.0.0.9', 22, ed.blob), { status: 'match' });
    assert.deepEqual(verifyHostKey(text, '10.0.0.9', 2200, rsa.blob), { status: 'match' });
    assert.equal(verifyHostKey(text, '10.0.0.9', 22, other.blob).status, 'changed');
    assert.deepEqual(verifyHostKey(text, '10.0.0.8', 22, ed.blob), { status: 'unknown' });
  });

  it('reports a changed key with the line and the expected fingerprint', () => {
    const text = `\n10.0.0.1 ${ed.keyType} ${ed.base64}\n`;
    const verdict = verifyHostKey(text, '10.0.0.1', 22, other.blob);
    assert.deepEqual(verdict, { status: 'changed', line: 2, expected: `ssh-ed25519 ${ed.sshFingerprint}` });
  });

  it('honours negated patterns and @revoked', () => {
    const text = `10.0.0.*,!10.0.0.5 ${ed.keyType} ${ed.base64}\n@revoked * ${other.keyType} ${other.base64}\n`;
    assert.deepEqual(verifyHostKey(text, '10.0.0.4', 22, ed.blob), { status: 'match' });
    assert.deepEqual(verifyHostKey(text, '10.0.0.5', 22, ed.blob), { status: 'unknown' });
    assert.deepEqual(verifyHostKey(text, '10.0.0.4', 22, other.blob), { status: 'revoked', line: 2 });
  });

  it('appends entries that ssh-keygen -F finds', async () => {
    const file = join(dir, 'appended');
    writeFileSync(file, `10.0.0.1 ${ed.keyType} ${ed.base64}`); // no final newline
    await appendKnownHost(file, '10.0.0.2', 2222, rsa.blob);
    const found = execFileSync('ssh-keygen', ['-F', '[10.0.0.2]:2222', '-f', file], { encoding: 'utf8' });
    assert.match(found, new RegExp(`ssh-rsa ${rsa.base64.slice(0, 40).replace(/[+/]/g, '\\$&')}`));
    assert.deepEqual(verifyHostKey(readFileSync(file, 'utf8'), '10.0.0.1', 22, ed.blob), { status: 'match' });
  });
});
