// The SSH connection: one ssh2 connection per master (through its jump hosts, if
// any) with strict host key checking, the agent bundle uploaded once per version, and
// one long-lived `node agent.mjs --stdio` exec, run through sudo when ssh.become says
// so, that carries every request of the run.
import type { ClientChannel } from 'ssh2';
import { UnreachableError } from '../errors.js';
import type { Master } from '../types.js';
import { AgentClient } from './agent-client.js';
import { loadAgentBundle } from './agent-bundle.js';
import type { AgentConnection, ConnectOptions } from './connection.js';
import { readKnownHosts } from './known-hosts.js';
import {
  BAD_UPLOAD,
  execUntilMarker,
  finish,
  MISSING,
  newPrompt,
  NO_NODE,
  NO_SUDO,
  PASSWORD_REFUSED,
  remoteAgent,
  startCommand,
  uploadCommand,
} from './remote-agent.js';
import { HopError, openSshChain } from './ssh-chain.js';

export { REMOTE_CACHE_DIR } from './remote-agent.js';
const DEFAULT_TIMEOUT_MS = 10_000;
// A dead connection (master gone, network cut) shows after this many unanswered
// keepalives, as OpenSSH's ServerAliveInterval and ServerAliveCountMax; the inventory's
// ssh.keepaliveIntervalMs and ssh.keepaliveCountMax change them.
export const KEEPALIVE_INTERVAL_MS = 15_000;
export const KEEPALIVE_COUNT_MAX = 4;
const CLOSE_GRACE_MS = 5000;
const AGENT_STARTING = 'diskless-agent-starting';
const UPLOAD_READY = 'diskless-upload-ready';

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

/** Why sudo or the shell before the agent failed, as a sentence. */
function startFailure(code: number, stderr: string, what: string): string {
  if (code === NO_NODE) return 'node is not installed: install nodejs there (Debian: apt-get install nodejs; Gentoo: emerge net-libs/nodejs)';
  if (code === NO_SUDO) return 'ssh.become is "sudo" but sudo is not installed there';
  if (code === PASSWORD_REFUSED) return 'sudo refused the become password';
  if (/a password is required/i.test(stderr)) return 'sudo asks for a password: give it with --ask-become-pass (or DISKLESS_BECOME_PASS)';
  return `${what}: ${stderr || `exit ${code}`}`;
}

export async function connectSsh(master: Master, options: ConnectOptions = {}): Promise<AgentConnection> {
  const unreachable = (message: string) => new UnreachableError(master.name, message);
  const timeoutMs = master.ssh.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const keepaliveIntervalMs = master.ssh.keepaliveIntervalMs ?? KEEPALIVE_INTERVAL_MS;
  const keepaliveCountMax = master.ssh.keepaliveCountMax ?? KEEPALIVE_COUNT_MAX;
  // ssh2 gives up when the (countMax + 1)th keepalive in a row finds no answer
  const silenceLimitMs = keepaliveIntervalMs * (keepaliveCountMax + 1);
  // Uploading the bundle may take longer than a handshake on a slow link.
  const setupTimeoutMs = Math.max(timeoutMs * 6, 60_000);
  let chain;
  try {
    chain = await openSshChain(master.ssh, {
      knownHosts: await readKnownHosts(master.ssh.knownHosts),
      acceptNewHostKeys: options.acceptNewHostKeys ?? false,
      timeoutMs,
      keepaliveIntervalMs,
      keepaliveCountMax,
    });
  } catch (error) {
    throw unreachable(error instanceof HopError ? error.message : `ssh: ${(error as Error).message}`);
  }
  const { ssh } = chain;

  try {
    const bundle = await loadAgentBundle();
    const remote = remoteAgent(master.ssh.user, bundle.sha256, master.ssh.become, options.becomePassword);
    const prompt = newPrompt();
    const become = remote.become ? { password: remote.become.password, prompt } : undefined;
    const start = () => execUntilMarker(ssh, startCommand(remote, bundle.sha256, AGENT_STARTING, silenceLimitMs, prompt), AGENT_STARTING, setupTimeoutMs, become);
    let started = await start();
    if ('code' in started && started.code === MISSING) {
      const upload = await execUntilMarker(ssh, uploadCommand(remote, bundle.sha256, UPLOAD_READY, prompt), UPLOAD_READY, setupTimeoutMs, become);
      const uploaded = 'channel' in upload ? await finish(upload.channel, bundle.content, setupTimeoutMs) : upload;
      if (uploaded.code === BAD_UPLOAD) throw unreachable(`cannot upload the agent to ${remote.file}: ${uploaded.stderr || 'the copy there does not have its hash'}`);
      if (uploaded.code !== 0) throw unreachable(startFailure(uploaded.code, uploaded.stderr, `cannot upload the agent to ${remote.file}`));
      started = await start();
    }
    if ('code' in started) throw unreachable(startFailure(started.code, started.stderr, 'cannot start the agent'));
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
        chain.dispose();
      },
    };
  } catch (error) {
    chain.dispose();
    throw error instanceof UnreachableError ? error : unreachable((error as Error).message);
  }
}
