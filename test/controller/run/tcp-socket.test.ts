import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { openTcpSocket } from '../../../packages/controller/src/transport/tcp-socket.js';

describe('controller: the TCP connection under SSH', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer((peer) => peer.on('error', () => undefined).end('SSH-2.0-test\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => server.close());

  it('resolves once connected, and an error after that does not go unhandled', async () => {
    const socket = await openTcpSocket('127.0.0.1', port, 5000);
    assert.equal(socket.remotePort, port);
    socket.emit('error', new Error('reset by peer')); // would throw without a listener
    socket.destroy();
  });

  it('rejects with the system error when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(openTcpSocket('127.0.0.1', free, 5000), /ECONNREFUSED/);
  });
});
