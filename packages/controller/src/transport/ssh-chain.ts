// The SSH connection to a master, through its jump hosts when it has some (ProxyJump):
// each jump host is logged in to in turn, and the next hop's TCP connection is a
// channel forwarded by the previous one (ssh2's forwardOut), used as the socket of
// the next SSH connection. Every host's key is checked against the same known_hosts.
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import ssh2 from 'ssh2';
import type { SshHop, SshSettings } from '../types.js';
import { hostKeyCheck, preferredHostKeyAlgorithms } from './host-key-check.js';
import { hostName } from './known-hosts.js';
import { openTcpSocket } from './tcp-socket.js';

export interface ChainOptions {
  knownHosts: string; // the known_hosts text
  acceptNewHostKeys: boolean;
  timeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

export interface SshChain {
  /** The connection to the master. */
  ssh: NodeSSH;
  /** Closes the master's connection and then the jump hosts', last first. */
  dispose(): void;
}

/** Why connecting failed, and on which hop. */
export class HopError extends Error {}

interface Target {
  host: string;
  port: number;
  user: string;
  privateKey?: string;
  privateKeyOptional?: boolean;
  label: string; // "jump host bastion (hop 1 of 2)" or "" for the master
}

/**
 * A key of the ssh config or a default key file that is missing, unreadable or encrypted
 * is left out (ssh-agent may still hold it), as OpenSSH skips it; a key the inventory
 * names was checked on load.
 */
function privateKeyOf(target: Target): { privateKeyPath?: string; privateKey?: string } {
  if (!target.privateKey) return {};
  if (!target.privateKeyOptional) return { privateKeyPath: target.privateKey };
  try {
    const content = readFileSync(target.privateKey, 'utf8');
    return ssh2.utils.parseKey(content) instanceof Error ? {} : { privateKey: content };
  } catch {
    return {};
  }
}

function forwardOut(via: NodeSSH, host: string, port: number, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no forwarded connection to ${hostName(host, port)} within ${timeoutMs / 1000} s`)), timeoutMs);
    via.connection!.forwardOut('127.0.0.1', 0, host, port, (error, stream) => {
      clearTimeout(timer);
      if (error) reject(new Error(`cannot reach ${hostName(host, port)} from there: ${error.message}`));
      else resolve(stream);
    });
  });
}

async function login(target: Target, sock: Duplex, agent: string | undefined, options: ChainOptions, knownHostsFile: string): Promise<NodeSSH> {
  const check = hostKeyCheck(knownHostsFile, options.knownHosts, target.host, target.port, options.acceptNewHostKeys);
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      sock: sock as never,
      username: target.user,
      ...privateKeyOf(target),
      agent,
      readyTimeout: options.timeoutMs,
      keepaliveInterval: options.keepaliveIntervalMs,
      keepaliveCountMax: options.keepaliveCountMax,
      hostVerifier: check.verifier,
      algorithms: { serverHostKey: preferredHostKeyAlgorithms(options.knownHosts, target.host, target.port) as never },
    });
    return ssh;
  } catch (error) {
    ssh.dispose();
    const prefix = target.label ? `${target.label}: ` : '';
    const refusal = check.refusal();
    if (refusal) throw new HopError(prefix + refusal);
    const message = (error as Error).message;
    const where = `ssh ${target.user}@${hostName(target.host, target.port)}`;
    // ssh2 marks a refused login with its error level, whatever the message says.
    if ((error as { level?: string }).level === 'client-authentication') {
      throw new HopError(`${prefix}${where}: authentication failed (key ${target.privateKey ?? 'from ssh-agent'})`);
    }
    throw new HopError(`${prefix}${where}: ${message}`);
  }
}

/** Connects to the master, through its jump hosts first. Throws HopError naming the hop that failed. */
export async function openSshChain(settings: SshSettings, options: ChainOptions): Promise<SshChain> {
  const hops: SshHop[] = settings.proxyJump ?? [];
  const agent = settings.agent ?? process.env.SSH_AUTH_SOCK;
  const targets: Target[] = [
    ...hops.map((hop, i) => ({
      host: hop.host,
      port: hop.port,
      user: hop.user,
      // A jump host without a key of its own in the ssh config gets the master's.
      privateKey: hop.privateKey ?? settings.privateKey,
      privateKeyOptional: hop.privateKey ? true : settings.privateKeyOptional,
      label: `jump host ${hop.name}${hops.length > 1 ? ` (hop ${i + 1} of ${hops.length})` : ''}`,
    })),
    { host: settings.host, port: settings.port, user: settings.user, privateKey: settings.privateKey, privateKeyOptional: settings.privateKeyOptional, label: '' },
  ];
  const open: NodeSSH[] = [];
  const dispose = () => {
    for (const ssh of open.reverse()) ssh.dispose();
  };
  try {
    for (const target of targets) {
      const previous = open[open.length - 1];
      let sock: Duplex;
      try {
        sock = previous
          ? await forwardOut(previous, target.host, target.port, options.timeoutMs)
          : await openTcpSocket(target.host, target.port, options.timeoutMs);
      } catch (error) {
        const prefix = target.label ? `${target.label}: ` : previous ? `through ${targets[open.length - 1].label}: ` : '';
        throw new HopError(`${prefix}ssh ${target.user}@${hostName(target.host, target.port)}: ${(error as Error).message}`);
      }
      const ssh = await login(target, sock, agent, options, settings.knownHosts);
      // A jump host's connection that fails (keepalives unanswered) closes the channel the
      // next hop runs in, and so that hop's connection, where the run hears of it.
      if (target.label) ssh.connection!.on('error', () => undefined);
      open.push(ssh);
    }
  } catch (error) {
    dispose();
    throw error;
  }
  return { ssh: open[open.length - 1], dispose };
}
