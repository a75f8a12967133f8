import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../../protocol.js';
import { pathInSlaveRoot } from './root-paths.js';
import type { RunlevelLink } from './slave-root-links.js';
import { parseUnitInstall, unitName } from './unit-install.js';

/** systemd's unit search path for the system, in its order; a link points at the first hit by this name. */
const UNIT_DIRS = ['/etc/systemd/system', '/usr/local/lib/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];

export interface UnitFile {
  unit: string;
  /** As the slave sees it, e.g. /lib/systemd/system/ssh.service: what the links point at. */
  slavePath: string;
  /** Where it is read on the master. */
  masterPath: string;
}

/** The unit file the slave's systemd would load for a service, or null when the root has none. */
export function findUnitFile(root: string, service: string, shared: readonly string[]): UnitFile | null {
  const unit = unitName(service);
  const local = path.join(root, 'etc/systemd/system', unit);
  if (lstatSync(local, { throwIfNoEntry: false })?.isSymbolicLink()) {
    const target = readlinkSync(local);
    if (target === '/dev/null') throw new AgentError('EARGS', `service: ${unit} is masked in ${root} (${local} -> /dev/null)`);
    // an alias made by an earlier enable: the unit it names is the one to enable
    if (path.posix.isAbsolute(target) && path.posix.basename(target) !== unit) {
      const masterPath = pathInSlaveRoot(root, target, shared);
      if (masterPath) return { unit: path.posix.basename(target), slavePath: target, masterPath };
    }
  }
  for (const dir of UNIT_DIRS) {
    const slavePath = `${dir}/${unit}`;
    const masterPath = pathInSlaveRoot(root, slavePath, shared);
    if (masterPath) return { unit, slavePath, masterPath };
  }
  return null;
}

/**
 * The links `systemctl --root=ROOT enable UNIT` makes, read from the unit's [Install] section
 * (and those of the units it names in Also=): ROOT/etc/systemd/system/<target>.wants/UNIT,
 * .requires/ and .upholds/ the same way, and one link per Alias=.
 */
export function systemdLinks(root: string, first: UnitFile, shared: readonly string[]): RunlevelLink[] {
  const links: RunlevelLink[] = [];
  const seen = new Set<string>();
  const pending = [first];
  while (pending.length > 0) {
    const file = pending.shift()!;
    if (seen.has(file.unit)) continue;
    seen.add(file.unit);
    const install = readInstall(root, file);
    const etc = path.join(root, 'etc/systemd/system');
    const add = (linkPath: string): void => {
      if (path.join(root, file.slavePath) !== linkPath) links.push({ path: linkPath, target: file.slavePath });
    };
    for (const target of install.wantedBy) add(path.join(etc, `${target}.wants`, file.unit));
    for (const target of install.requiredBy) add(path.join(etc, `${target}.requires`, file.unit));
    for (const target of install.upheldBy) add(path.join(etc, `${target}.upholds`, file.unit));
    for (const alias of install.alias) add(path.join(etc, alias));
    for (const other of install.also) {
      const found = findUnitFile(root, other, shared);
      if (!found) throw new AgentError('ENOENT', `service: ${file.unit} names ${other} in Also=, but ${root} has no unit file for it`);
      pending.push(found);
    }
  }
  return links;
}

function readInstall(root: string, file: UnitFile) {
  const where = file.masterPath.startsWith(root) ? file.masterPath : `${file.masterPath} (the slave's ${file.slavePath})`;
  let text: string;
  try {
    text = readFileSync(file.masterPath, 'utf8');
  } catch (err) {
    throw new AgentError('EIO', `service: cannot read unit file ${where}: ${(err as Error).message}`);
  }
  return parseUnitInstall(text, file.unit, where);
}
