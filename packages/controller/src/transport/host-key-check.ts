// Strict host key checking for one SSH host (a master or a jump host on the way to
// it), against known_hosts: an unknown, changed or revoked key is refused with a
// sentence that names the host and says what to do.
import { appendKnownHost, fingerprint, hostName, keysForHost, keyTypeOf, verifyHostKey } from './known-hosts.js';

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
export function preferredHostKeyAlgorithms(knownHosts: string, host: string, port: number): { remove: string[]; prepend: string[] } | undefined {
  const types = new Set(keysForHost(knownHosts, host, port).filter((k) => !k.revoked).map((k) => k.type));
  const algorithms = [...types].flatMap((t) => ALGORITHMS_FOR_TYPE[t] ?? []);
  return algorithms.length ? { remove: algorithms, prepend: algorithms } : undefined;
}

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface HostKeyCheck {
  /** ssh2's hostVerifier. */
  verifier: (key: Buffer, verify: (valid: boolean) => void) => void;
  /** Why the key was refused, once it was. */
  refusal(): string | undefined;
}

export function hostKeyCheck(knownHostsFile: string, knownHosts: string, host: string, port: number, acceptNew: boolean): HostKeyCheck {
  let refusal: string | undefined;
  const name = hostName(host, port);
  const verifier = (key: Buffer, verify: (valid: boolean) => void) => {
    const verdict = verifyHostKey(knownHosts, host, port, key);
    const offered = `${keyTypeOf(key)} ${fingerprint(key)}`;
    if (verdict.status === 'match') return verify(true);
    if (verdict.status === 'unknown' && acceptNew) {
      appendKnownHost(knownHostsFile, host, port, key).then(
        () => verify(true),
        (error: Error) => {
          refusal = `cannot add the host key of ${name} to ${knownHostsFile}: ${error.message}`;
          verify(false);
        },
      );
      return;
    }
    if (verdict.status === 'unknown') {
      refusal =
        `host key of ${name} is not in ${knownHostsFile} (offered ${offered}). ` +
        `Check it, then trust it with: ssh-keyscan -p ${port} ${host} >> ${knownHostsFile}` +
        ` (or run with --accept-new-host-keys)`;
    } else if (verdict.status === 'revoked') {
      refusal = `host key ${offered} of ${name} is REVOKED in ${knownHostsFile}:${verdict.line}; refusing to connect`;
    } else {
      refusal =
        `WARNING: HOST KEY OF ${name} HAS CHANGED! Offered ${offered}, ` +
        `but ${knownHostsFile}:${verdict.line} has ${verdict.expected}. Someone may be intercepting the ` +
        `connection, or the host was reinstalled. Refusing to connect; if the change is expected, ` +
        `remove the old key with: ssh-keygen -R ${shellQuote(name)} -f ${knownHostsFile}`;
    }
    verify(false);
  };
  return { verifier, refusal: () => refusal };
}
