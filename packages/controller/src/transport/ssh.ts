// The SSH connection: one node-ssh connection per master with strict host key
// checking, the agent bundle uploaded once per version, and one long-lived
// `node agent.mjs --stdio` exec that carries every request of the run.
import { NodeSSH } from 'node-ssh';
import type { ClientChannel } from 'ssh2';
import { UnreachableError } from '../errors.js';
import type { Master } from '../types.js';
import { AgentClient } from './agent-client.js';
import { loadAgentBundle } from './agent-bundle.js';
import { openTcpSocket } from './tcp-socket.js';
import type { AgentConnection, ConnectOptions } from './connection.js';
import {
  appendKnownHost,
  fingerprint,
  hostName,
  keysForHost,
  keyTypeOf,
  readKnownHosts,
  verifyHostKey,
} from './known-hosts.js';

export const REMOTE_CACHE_DIR = '/var/cache/diskless';
const DEFAULT_TIMEOUT_MS = 10_000;
// A dead connection (master gone, network cut) shows after this many unanswered
// keepalives, as OpenSSH's ServerAliveInterval and ServerAliveCountMax; the inventory's
// ssh.keepaliveIntervalMs and ssh.keepaliveCountMax change them.
export const KEEPALIVE_INTERVAL_MS = 15_000;
export const KEEPALIVE_COUNT_MAX = 4;
const CLOSE_GRACE_MS = 5000;
const NO_NODE = 127;
const MISSING = 3;

// Host key algorithms ssh2 can negotiate for each key type in known_hosts.
const ALGORITHMS_FOR_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * Asks the server for a key type we already know first, as OpenSSH does, but still
 * accepts the others: a server that only has a key of another type then gets as far as
 * the host key check, which names the key it offers and the known_hosts line it differs
 * from, instead of failing the handshake with "no matching host key format".
 */
function preferredHostKeyAlgorithms(knownHosts: string, host: string, port: number): { remove: string[]; prepend: string[] } | undefined {
  const types = new Set(keysForHost(knownHosts, host, port).filter((k) => !k.revoked).map((k) => k.type));
  const algorithms = [...types].flatMap((t) => ALGORITHMS_FOR_TYPE[t] ?? []);
  return algorithms.length ? { remove: algorithms, prepend: algorithms } : undefined;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function execChannel(ssh: NodeSSH, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    ssh.connection!.exec(command, (error, channel) => (error ? reject(error) : resolve(channel)));
  });
}

/**
 * Runs a command, optionally feeding stdin; resolves with its exit code and stderr.
 * A channel that closes without an exit status counts as exit 255, and a command
 * that never finishes within `timeoutMs` is an error, so a stuck remote shell
 * cannot hold the run forever.
 */
async function run(ssh: NodeSSH, command: string, timeoutMs: number, stdin?: Buffer): Promise<{ code: number; stderr: string }> {
  const channel = await execChannel(ssh, command);
  let stderr = '';
  let code = 255;
  channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  channel.on('data', () => {});
  channel.on('exit', (exitCode: number | null) => (code = exitCode ?? 255));
  const done = new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      channel.close();
      reject(new Error(`\`${command.split(';')[0]}…\` did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    // ssh2 may emit 'exit' before the awaited exec callback lets us listen; 'close'
    // carries the exit status too.
    channel.on('close', (closeCode?: number | null) => {
      clearTimeout(timer);
      resolve({ code: typeof closeCode === 'number' ? closeCode : code, stderr: stderr.trim() });
    });
  });
  channel.end(stdin);
  return done;
}

const AGENT_STARTING = 'diskless-agent-starting';

/**
 * Starts the agent in one exec: the shell checks for node and the cached bundle, says
 * so on stdout, then becomes the agent. Resolves with the channel once the agent is
 * starting, or with the shell's exit code and stderr when a check failed.
 * `controllerTimeoutMs`: the agent stops, ending its commands and releasing the lock,
 * when the controller has sent nothing for that long (see `sendHeartbeats`).
 */
async function startAgent(
  ssh: NodeSSH,
  remote: string,
  timeoutMs: number,
  controllerTimeoutMs: number,
): Promise<{ channel: ClientChannel } | { code: number; stderr: string }> {
  const channel = await execChannel(
    ssh,
    `command -v node >/dev/null 2>&1 || exit ${NO_NODE}; test -f ${remote} || exit ${MISSING}; echo ${AGENT_STARTING}; ` +
      `exec node ${remote} --stdio --controller-timeout ${controllerTimeoutMs}`,
  );
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let code = 255;
    const onStdout = (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      // Anything before the line is the login shell's own chatter; the agent says nothing unasked.
      if (!stdout.endsWith(`${AGENT_STARTING}\n`)) return;
      stopWatching();
      resolve({ channel });
    };
    const onStderr = (chunk: Buffer) => (stderr += chunk.toString('utf8'));
    const onExit = (exitCode: number | null) => (code = exitCode ?? 255);
    // ssh2 may emit 'exit' before the awaited exec callback lets us listen; 'close' carries it too.
    const onClose = (closeCode?: number | null) => {
      stopWatching();
      resolve({ code: typeof closeCode === 'number' ? closeCode : code, stderr: stderr.trim() });
    };
    const timer = setTimeout(() => {
      stopWatching();
      channel.close();
      reject(new Error(`the agent did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    function stopWatching() {
      clearTimeout(timer);
      channel.off('data', onStdout);
      channel.stderr.off('data', onStderr);
      channel.off('exit', onExit);
      channel.off('close', onClose);
      // Held until the agent client reads it.
      channel.pause();
    }
    channel.on('data', onStdout);
    channel.stderr.on('data', onStderr);
    channel.on('exit', onExit);
    channel.on('close', onClose);
  });
}

/**
 * An empty line to the agent every interval (the protocol ignores it): SSH's own
 * keepalives end at sshd, so this is how an agent behind a cut link learns that its
 * controller is gone, after as many silent intervals as the controller waits for
 * keepalive answers before it gives up on the master.
 */
function sendHeartbeats(channel: ClientChannel, intervalMs: number): () => void {
  const timer = setInterval(() => {
    if (channel.writable) channel.write('\n');
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function connectSsh(master: Master, options: ConnectOptions = {}): Promise<AgentConnection> {
  const { host, port, user } = master.ssh;
  const unreachable = (message: string) => new UnreachableError(master.name, message);
  const knownHostsFile = master.ssh.knownHosts;
  const knownHosts = await readKnownHosts(knownHostsFile);
  let refusal: string | undefined;

  const hostVerifier = (key: Buffer, verify: (valid: boolean) => void) => {
    const verdict = verifyHostKey(knownHosts, host, port, key);
    const offered = `${keyTypeOf(key)} ${fingerprint(key)}`;
    if (verdict.status === 'match') return verify(true);
    if (verdict.status === 'unknown' && options.acceptNewHostKeys) {
      appendKnownHost(knownHostsFile, host, port, key).then(
        () => verify(true),
        (error: Error) => {
          refusal = `cannot add its host key to ${knownHostsFile}: ${error.message}`;
          verify(false);
        },
      );
      return;
    }
    if (verdict.status === 'unknown') {
      refusal =
        `host key of ${hostName(host, port)} is not in ${knownHostsFile} (offered ${offered}). ` +
        `Check it, then trust it with: ssh-keyscan -p ${port} ${host} >> ${knownHostsFile}` +
        ` (or run with --accept-new-host-keys)`;
    } else if (verdict.status === 'revoked') {
      refusal = `host key ${offered} of ${hostName(host, port)} is REVOKED in ${knownHostsFile}:${verdict.line}; refusing to connect`;
    } else {
      refusal =
        `WARNING: HOST KEY OF ${hostName(host, port)} HAS CHANGED! Offered ${offered}, ` +
        `but ${knownHostsFile}:${verdict.line} has ${verdict.expected}. Someone may be intercepting the ` +
        `connection, or the master was reinstalled. Refusing to connect; if the change is expected, ` +
        `remove the old key with: ssh-keygen -R ${shellQuote(hostName(host, port))} -f ${knownHostsFile}`;
    }
    verify(false);
  };

  const timeoutMs = master.ssh.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const keepaliveIntervalMs = master.ssh.keepaliveIntervalMs ?? KEEPALIVE_INTERVAL_MS;
  const keepaliveCountMax = master.ssh.keepaliveCountMax ?? KEEPALIVE_COUNT_MAX;
  // ssh2 gives up when the (countMax + 1)th keepalive in a row finds no answer
  const silenceLimitMs = keepaliveIntervalMs * (keepaliveCountMax + 1);
  // Uploading the bundle may take longer than a handshake on a slow link.
  const setupTimeoutMs = Math.max(timeoutMs * 6, 60_000);
  const ssh = new NodeSSH();
  try {
    const sock = await openTcpSocket(host, port, timeoutMs);
    await ssh.connect({
      sock,
      username: user,
      privateKeyPath: master.ssh.privateKey,
      agent: master.ssh.agent ?? process.env.SSH_AUTH_SOCK,
      readyTimeout: timeoutMs,
      keepaliveInterval: keepaliveIntervalMs,
      keepaliveCountMax,
      hostVerifier,
      algorithms: { serverHostKey: preferredHostKeyAlgorithms(knownHosts, host, port) as never },
    });
  } catch (error) {
    ssh.dispose();
    if (refusal) throw unreachable(refusal);
    const message = (error as Error).message;
    if (/authentication methods failed/i.test(message)) {
      throw unreachable(`ssh ${user}@${hostName(host, port)}: authentication failed (key ${master.ssh.privateKey ?? 'from ssh-agent'})`);
    }
    throw unreachable(`ssh ${user}@${hostName(host, port)}: ${message}`);
  }

  try {
    const bundle = await loadAgentBundle();
    const remote = `${REMOTE_CACHE_DIR}/agent-${bundle.sha256}.mjs`;
    let started = await startAgent(ssh, remote, setupTimeoutMs, silenceLimitMs);
    if ('code' in started && started.code === MISSING) {
      const tmp = `${remote}.tmp.$$`;
      const upload = await run(ssh, `umask 022; mkdir -p ${REMOTE_CACHE_DIR} && cat > ${tmp} && mv -f ${tmp} ${remote}`, setupTimeoutMs, bundle.content);
      if (upload.code !== 0) throw unreachable(`cannot upload the agent to ${remote}: ${upload.stderr || `exit ${upload.code}`}`);
      started = await startAgent(ssh, remote, setupTimeoutMs, silenceLimitMs);
    }
    if ('code' in started) {
      if (started.code === NO_NODE) {
        throw unreachable('node is not installed: install nodejs there (Debian: apt-get install nodejs; Gentoo: emerge net-libs/nodejs)');
      }
      throw unreachable(`cannot start the agent: ${started.stderr || `exit ${started.code}`}`);
    }
    const { channel } = started;
    const agent = new AgentClient({ stdin: channel, stdout: channel, stderr: channel.stderr }, master.name);
    const stopHeartbeats = sendHeartbeats(channel, keepaliveIntervalMs);
    const closed = new Promise<void>((resolve) => channel.on('close', () => resolve()));
    channel.on('close', stopHeartbeats);
    // Any end of the channel or of the connection ends every request still waiting.
    channel.on('exit', (code: number | null, signal?: string) => agent.fail(`exit ${code ?? signal}`));
    channel.on('close', () => agent.fail('its SSH channel closed'));
    const connection = ssh.connection!;
    connection.on('error', (error: Error) => agent.fail(`SSH connection: ${error.message}`));
    connection.on('end', () => agent.fail('the SSH connection ended'));
    connection.on('close', () => agent.fail('the SSH connection closed'));
    return {
      agent,
      async close() {
        stopHeartbeats();
        agent.close();
        // A dead connection may never report the channel closed: give up waiting.
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, CLOSE_GRACE_MS);
        });
        await Promise.race([closed, gaveUp]);
        clearTimeout(timer);
        ssh.dispose();
      },
    };
  } catch (error) {
    ssh.dispose();
    throw error instanceof UnreachableError ? error : unreachable((error as Error).message);
  }
}
