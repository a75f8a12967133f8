// The SSH transport against servers that misbehave, played by ssh2's own server and a
// plain TCP listener on loopback: a key of another type than the known one, a server
// that accepts the connection and never speaks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { UnreachableError } from '../../../packages/controller/src/errors.js';
import { connectSsh } from '../../../packages/controller/src/transport/ssh.js';
import { fingerprint } from '../../../packages/controller/src/transport/known-hosts.js';
import type { Master } from '../../../packages/controller/src/types.js';

function keygen(dir: string, type: string, name: string): { file: string; type: string; blob: Buffer } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', '', '-f', file]);
  const [keyType, base64] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  return { file, type: keyType, blob: Buffer.from(base64, 'base64') };
}

const listen = (server: NetServer | ssh2.Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

function master(port: number, knownHosts: string, privateKey: string, extra: object = {}): Master {
  return { name: 'm1', ssh: { host: '127.0.0.1', port, user: 'root', knownHosts, privateKey, connection: 'ssh', timeoutMs: 1500, ...extra } } as Master;
}

describe('SSH transport: servers that misbehave', function () {
  this.timeout(30_000);
  let dir: string;
  let clientKey: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dl-ssh-faults-'));
    clientKey = keygen(dir, 'ed25519', 'client').file;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a master that now offers an ECDSA key where an ed25519 one is known: the changed key and the known_hosts line are named', async () => {
    const known = keygen(dir, 'ed25519', 'known_host');
    const offered = keygen(dir, 'ecdsa', 'ecdsa_host');
    const server = new ssh2.Server({ hostKeys: [readFileSync(offered.file)] }, (client) => client.on('error', () => undefined));
    const port = await listen(server);
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `# the master's old key\n[127.0.0.1]:${port} ${known.type} ${known.blob.toString('base64')}\n`);
    try {
      const error = await connectSsh(master(port, knownHosts, clientKey)).then(
        () => assert.fail('connected'),
        (e: Error) => e,
      );
      assert.ok(error instanceof UnreachableError);
      assert.doesNotMatch(error.message, /no matching host key format/);
      assert.match(error.message, new RegExp(`HOST KEY OF \\[127\\.0\\.0\\.1\\]:${port} HAS CHANGED`));
      assert.ok(error.message.includes(`Offered ${offered.type} ${fingerprint(offered.blob)}`), error.message);
      assert.ok(error.message.includes(`${knownHosts}:2 has ${known.type} ${fingerprint(known.blob)}`), error.message);
    } finally {
      server.close();
    }
  });

  it('a master that accepts TCP but never speaks SSH is unreachable within the connect timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket.on('error', () => undefined)));
    const port = await listen(silent);
    try {
      const started = Date.now();
      const error = await connectSsh(master(port, join(dir, 'none'), clientKey, { timeoutMs: 1000 })).then(
        () => assert.fail('connected'),
        (e: Error) => e,
      );
      const ms = Date.now() - started;
      assert.ok(error instanceof UnreachableError);
      assert.match(error.message, /^ssh root@\[127\.0\.0\.1\]:\d+: Timed out while waiting for handshake/);
      assert.ok(ms >= 900 && ms < 3000, `gave up after ${ms} ms`);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });
});
