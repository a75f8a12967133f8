// The user's OpenSSH client configuration (~/.ssh/config by default), read with the
// ssh-config package: the Host blocks' HostName, User, Port, IdentityFile and ProxyJump
// for a name, first value wins as in OpenSSH. Match blocks are ignored (never
// evaluated: `Match exec` would run commands), and Include is not followed.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import SSHConfig from 'ssh-config';

export const DEFAULT_SSH_CONFIG = '~/.ssh/config';

/** What the ssh config says about one host name; all optional. */
export interface SshConfigEntry {
  hostName?: string;
  user?: string;
  port?: string;
  identityFiles: string[]; // "~" expanded, relative paths resolved against the home directory
  proxyJump?: string;
}

export interface SshConfig {
  file: string; // absolute path, or "none"
  lookup(host: string): SshConfigEntry;
}

const EMPTY: SshConfigEntry = { identityFiles: [] };

export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return resolve(homedir(), path);
}

/** Parses config text; `file` is only for messages. */
export function parseSshConfig(text: string, file: string): SshConfig {
  const parsed = SSHConfig.parse(text);
  // Drop Match blocks (and what they hold) before anything is computed.
  const kept = parsed.filter((line) => !('param' in line && line.param.toLowerCase() === 'match'));
  const config = SSHConfig.parse('');
  config.push(...kept);
  return {
    file,
    lookup(host: string): SshConfigEntry {
      const found = config.compute(host, { ignoreCase: true, matchExec: false });
      const first = (key: string): string | undefined => {
        const value = found[key];
        return Array.isArray(value) ? value[0] : value;
      };
      const identity = found.identityfile;
      const identities = identity === undefined ? [] : Array.isArray(identity) ? identity : [identity];
      return {
        hostName: first('hostname')?.replace(/%h/g, host),
        user: first('user'),
        port: first('port'),
        identityFiles: identities.filter((f) => f.toLowerCase() !== 'none').map(expandHome),
        proxyJump: first('proxyjump'),
      };
    },
  };
}

/** A config that says nothing (OpenSSH's `-F none`). */
export const NO_SSH_CONFIG: SshConfig = { file: 'none', lookup: () => EMPTY };

/**
 * Reads the config file; "none" reads nothing. A missing file is an empty config when
 * it is the default one, and an error otherwise.
 */
export async function readSshConfig(file: string, isDefault: boolean): Promise<SshConfig> {
  if (file === 'none') return NO_SSH_CONFIG;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && isDefault) return { ...NO_SSH_CONFIG, file };
    throw new Error(`cannot read the ssh config ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`, { cause: error });
  }
  return parseSshConfig(text, file);
}
