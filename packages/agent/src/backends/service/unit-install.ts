import { AgentError } from '../../protocol.js';

/** What a unit file's [Install] section asks `systemctl enable` to create. */
export interface UnitInstall {
  wantedBy: string[];
  requiredBy: string[];
  upheldBy: string[];
  alias: string[];
  also: string[];
}

const KEYS: Record<string, keyof UnitInstall> = { WantedBy: 'wantedBy', RequiredBy: 'requiredBy', UpheldBy: 'upheldBy', Alias: 'alias', Also: 'also' };
/** A unit name: no path separator, no leading dot, a known unit suffix. */
const UNIT_NAME = /^[A-Za-z0-9:_\\@-][A-Za-z0-9:_.\\@-]*\.(service|socket|target|timer|path|mount|automount|swap|slice|device|scope)$/;

export function isUnitName(name: string): boolean {
  return UNIT_NAME.test(name);
}

/** "ssh" means ssh.service, as systemctl reads it. */
export function unitName(name: string): string {
  return isUnitName(name) ? name : `${name}.service`;
}

/**
 * Reads the [Install] section of a unit file (systemd.unit(5)): space-separated lists that
 * add up over repeated keys, an empty assignment clears the list, a trailing backslash
 * continues the line. %n, %N, %p, %i and %% are expanded for `unit`.
 * `file` names the unit file in errors.
 */
export function parseUnitInstall(text: string, unit: string, file: string): UnitInstall {
  const install: UnitInstall = { wantedBy: [], requiredBy: [], upheldBy: [], alias: [], also: [] };
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    let line = lines[i].trim();
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i].trim()}`;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1];
      continue;
    }
    if (section !== 'Install') continue;
    const eq = line.indexOf('=');
    const key = KEYS[line.slice(0, eq).trim()];
    if (eq < 0 || !key) continue;
    const values = line.slice(eq + 1).trim().split(/\s+/).filter(Boolean);
    if (values.length === 0) {
      install[key] = [];
      continue;
    }
    for (const raw of values) {
      const value = expandSpecifiers(raw, unit);
      if (!isUnitName(value)) throw new AgentError('EARGS', `service: ${file} line ${lineNumber}: "${value}" is not a unit name`);
      install[key].push(value);
    }
  }
  return install;
}

function expandSpecifiers(value: string, unit: string): string {
  const dot = unit.lastIndexOf('.');
  const prefixed = unit.slice(0, dot);
  const at = prefixed.indexOf('@');
  const prefix = at < 0 ? prefixed : prefixed.slice(0, at);
  const instance = at < 0 ? '' : prefixed.slice(at + 1);
  const table: Record<string, string> = { n: unit, N: prefixed, p: prefix, i: instance, '%': '%' };
  return value.replace(/%(.)/g, (whole, letter: string) => table[letter] ?? whole);
}
