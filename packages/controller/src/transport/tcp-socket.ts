// The TCP connection under SSH, opened here rather than by ssh2 so that Nagle's
// algorithm is off from the first byte: the handshake, the channel requests and every
// agent request are small packets sent back to back, and Nagle would hold each one
// until the master's delayed ACK, 40 ms a time (as OpenSSH's own client avoids too).
import { connect, type Socket } from 'node:net';

export function openTcpSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TCP connection within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      // ssh2 listens for errors from here on; until it does, one must not go unheard.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}
