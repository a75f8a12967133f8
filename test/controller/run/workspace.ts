// Temporary inventories and playbooks for the run-side tests, with masters that use
// the local connection (the real agent bundle as a child process).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connectLocal } from '../../../packages/controller/src/transport/local.js';
import type { Connector } from '../../../packages/controller/src/transport/connect.js';
import { connect } from '../../../packages/controller/src/transport/connect.js';

export interface Workspace {
  dir: string;
  /** Where the playbooks write: a directory per master under it. */
  root: string;
  write(relative: string, content: unknown): string;
  inventory(masters: Record<string, object>): string;
  /** Local agents with a run lock of their own per master, so tests never meet other runs. */
  connector: Connector;
  lockDir: string;
  remove(): void;
}

let masters = 0;

/** A master entry: local unless `ssh` settings are given. */
export function masterEntry(ssh?: object): object {
  const n = 10 + (masters++ % 200); // distinct LAN and MACs within one inventory
  return {
    ...(ssh ? { ssh } : { connection: 'local' }),
    lan: { interface: 'lan0', address: `192.168.${n}.1`, prefix: 24 },
    nfs: { server: 'ganesha', mountOptions: 'tcp,vers=3', shared: { '/usr': 'ro' } },
    slaves: { [`slave${n}`]: { mac: `02:00:00:00:${n.toString(16).padStart(2, '0')}:01`, ip: `192.168.${n}.21`, boot: 'pxe' } },
  };
}

export function makeWorkspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'dl-run-'));
  const root = join(dir, 'root');
  const lockDir = join(dir, 'locks');
  mkdirSync(root);
  const write = (relative: string, content: unknown) => {
    const file = join(dir, relative);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return file;
  };
  return {
    dir,
    root,
    lockDir,
    write,
    inventory: (masters) => write('inventory.json', { vars: { domain: 'example.test', root }, masters }),
    connector: (master, options) =>
      master.ssh.connection === 'local'
        ? connectLocal(master.name, { ...process.env, DISKLESS_LOCK_DIR: join(lockDir, master.name) })
        : connect(master, options),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
