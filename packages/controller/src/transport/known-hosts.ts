// known_hosts lookup with OpenSSH's rules: plain and hashed (|1|salt|hash) host
// patterns, [host]:port for ports other than 22, several keys per host, negated
// patterns, and @revoked markers. Fingerprints use OpenSSH's SHA256:base64 form.
import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface KnownKey {
  type: string; // ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ...
  key: Buffer; // raw key blob
  line: number;
  revoked: boolean;
}

export type HostKeyVerdict =
  | { status: 'match' }
  | { status: 'unknown' } // no entry for this host
  | { status: 'changed'; line: number; expected: string } // host known, this key is not
  | { status: 'revoked'; line: number };

/** OpenSSH's fingerprint: "SHA256:" + unpadded base64 of sha256(raw key). */
export function fingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** The name a host is stored under: "host" for port 22, "[host]:port" otherwise. */
export function hostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type written in the blob itself (a length-prefixed string). */
export function keyTypeOf(key: Buffer): string {
  const length = key.readUInt32BE(0);
  return key.subarray(4, 4 + length).toString('ascii');
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(entry: string, name: string): boolean {
  const [, , salt, hash] = entry.split('|');
  if (!salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

/** Whether a comma list of host patterns names this host ("!pattern" excludes). */
function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    if (globToRegExp(glob).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The keys listed for host:port in known_hosts text. */
export function keysForHost(text: string, host: string, port: number): KnownKey[] {
  const name = hostName(host, port);
  const keys: KnownKey[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    let revoked = false;
    if (fields[0].startsWith('@')) {
      // @cert-authority lines sign host certificates; plain keys never match them.
      if (fields[0] !== '@revoked') return;
      revoked = true;
      fields.shift();
    }
    const [patterns, type, base64] = fields;
    if (!patterns || !type || !base64 || !patternsMatch(patterns, name)) return;
    keys.push({ type, key: Buffer.from(base64, 'base64'), line: index + 1, revoked });
  });
  return keys;
}

/** Checks a host key offered by the server against known_hosts text. */
export function verifyHostKey(text: string, host: string, port: number, key: Buffer): HostKeyVerdict {
  const entries = keysForHost(text, host, port);
  const revoked = entries.find((e) => e.revoked && e.key.equals(key));
  if (revoked) return { status: 'revoked', line: revoked.line };
  if (entries.some((e) => !e.revoked && e.key.equals(key))) return { status: 'match' };
  const known = entries.filter((e) => !e.revoked);
  if (known.length === 0) return { status: 'unknown' };
  // Another key of the same type means the host changed; a key of a different type
  // is still a mismatch for us, since we never negotiate down to a listed type.
  const sameType = known.find((e) => e.type === keyTypeOf(key)) ?? known[0];
  return { status: 'changed', line: sameType.line, expected: `${sameType.type} ${fingerprint(sameType.key)}` };
}

export async function readKnownHosts(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** Appends a plain entry, as `ssh-keyscan -p PORT HOST >> FILE` would. */
export async function appendKnownHost(file: string, host: string, port: number, key: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const existing = await readKnownHosts(file);
  const separator = existing && !existing.endsWith('\n') ? '\n' : '';
  await appendFile(file, `${separator}${hostName(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}
