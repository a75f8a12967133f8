// The client key the inventory names, and the known_hosts file the controller
// checks masters against.
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { run } from './run.js';

/** The public half of the key at `privateKey`, made with ssh-keygen when missing. */
export async function ensureClientKey(privateKey: string): Promise<{ publicKey: string; created: boolean }> {
  let created = false;
  if (!existsSync(privateKey)) {
    mkdirSync(dirname(privateKey), { recursive: true, mode: 0o700 });
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'diskless-lab', '-f', privateKey]);
    created = true;
  }
  const pub = `${privateKey}.pub`;
  const publicKey = existsSync(pub) ? readFileSync(pub, 'utf8') : await run(['ssh-keygen', '-y', '-f', privateKey]);
  return { publicKey: publicKey.trim(), created };
}

/** How known_hosts names a host: a bare address on port 22, "[address]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Whether one known_hosts host field ("a,b" or "|1|salt|hash") names `name`. */
function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return field.split(',').includes(name);
}

/**
 * known_hosts text with every plain or hashed entry for `name` replaced by one line
 * for `publicKey` ("ssh-ed25519 AAAA... comment"); other lines are kept as they are.
 */
export function replaceKnownHost(text: string, name: string, publicKey: string): string {
  const [type, key] = publicKey.trim().split(/\s+/);
  const kept = text.split('\n').filter((line) => {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '' || fields[0].startsWith('#') || fields[0].startsWith('@')) return line !== '';
    return !hostFieldMatches(fields[0], name);
  });
  return [...kept, `${name} ${type} ${key}`, ''].join('\n');
}

/** Rewrites the known_hosts file atomically with the new entries. */
export function updateKnownHosts(file: string, entries: { name: string; publicKey: string }[]): void {
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  for (const e of entries) text = replaceKnownHost(text, e.name, e.publicKey);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
}
