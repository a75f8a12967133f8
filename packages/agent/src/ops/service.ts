import { existsSync } from 'node:fs';
import path from 'node:path';
import { chooseServiceBackend } from '../backends/service/choose.js';
import type { ServiceAction } from '../backends/service/service-backend.js';
import { runlevelLinks, type RunlevelLink } from '../backends/service/slave-root-links.js';
import { findUnitFile, systemdLinks } from '../backends/service/systemd-root-links.js';
import { Args } from '../lib/args.js';
import { runChecked, runCommand } from '../lib/run-command.js';
import { AgentError, type OpContext, type OpResult, type Operation } from '../protocol.js';
import { absent } from './absent.js';
import { ensureSymlink } from './link.js';

const STATES = ['started', 'stopped', 'restarted', 'reloaded'] as const;
const INITS = ['openrc', 'systemd', 'sysv'] as const;
const PAST: Record<ServiceAction, string> = { start: 'started', stop: 'stopped', restart: 'restarted', reload: 'reloaded' };

/** Starts/stops a service and enables it at boot; with `root`, only makes the links that enable it inside that slave root. */
export const service: Operation = {
  mutates: true,
  async run(raw, ctx) {
    const args = new Args('service', raw);
    const name = args.name('name');
    const state = args.optOneOf('state', STATES);
    const enabled = args.optBool('enabled');
    const runlevel = args.has('runlevel') ? args.name('runlevel') : 'default';
    const root = args.optAbsPath('root');
    const named = args.optOneOf('backend', INITS);
    const shared = sharedDirs(args);
    if (state === undefined && enabled === undefined) throw new AgentError('EARGS', `service: give "state" or "enabled" (or both) for service ${name}`);
    if (root) {
      if (state !== undefined) throw new AgentError('EARGS', `service: "state" cannot be used with "root" ${root}: nothing runs inside a slave root`);
      return enableInSlaveRoot(name, runlevel, root, enabled!, named, shared, ctx);
    }

    const backend = await chooseServiceBackend(named);
    const done: string[] = [];
    if (state) {
      const action = await neededAction(backend.status(name), state);
      if (action) {
        if (!ctx.check) await runChecked(backend.action(name, action));
        done.push(PAST[action]);
      }
    }
    if (enabled !== undefined) {
      const isEnabled = (await runCommand(backend.isEnabled(name, runlevel))).rc === 0;
      if (isEnabled !== enabled) {
        if (!ctx.check) await runChecked(enabled ? backend.enable(name, runlevel) : backend.disable(name, runlevel));
        done.push(enabled ? `enabled in ${runlevel}` : `disabled in ${runlevel}`);
      }
    }
    return { changed: done.length > 0, data: { backend: backend.name }, msg: done.length ? `${name} ${done.join(', ')}` : undefined };
  },
};

async function neededAction(statusArgv: string[], state: (typeof STATES)[number]): Promise<ServiceAction | null> {
  if (state === 'restarted') return 'restart';
  if (state === 'reloaded') return 'reload';
  const running = (await runCommand(statusArgv)).rc === 0;
  if (state === 'started') return running ? null : 'start';
  return running ? 'stop' : null;
}

/** Which links enable a service in a slave root: the root's own init decides, unless `backend` names one. */
function slaveRootLinks(root: string, name: string, runlevel: string, named: string | undefined, shared: string[]): { style: string; links: RunlevelLink[] } {
  // Gentoo roots ship systemd units too, but boot OpenRC: its runlevels directory decides first
  const openrc = named === 'openrc' || (named === undefined && existsSync(path.join(root, 'etc/runlevels')));
  if (openrc) return { style: 'openrc', links: runlevelLinks(root, name, runlevel, 'openrc') };
  if (named !== 'sysv') {
    const unit = findUnitFile(root, name, shared);
    if (unit) return { style: 'systemd', links: systemdLinks(root, unit, shared) };
    if (named === 'systemd') throw new AgentError('ENOENT', `service: ${root} has no systemd unit for ${name} (looked in etc/systemd/system, usr/local/lib, lib and usr/lib/systemd/system)`);
  }
  return { style: 'sysv', links: runlevelLinks(root, name, runlevel, 'sysv') };
}

async function enableInSlaveRoot(name: string, runlevel: string, root: string, enabled: boolean, named: string | undefined, shared: string[], ctx: OpContext): Promise<OpResult> {
  const { style, links } = slaveRootLinks(root, name, runlevel, named, shared);
  const touched: string[] = [];
  const diffs: string[] = [];
  for (const link of links) {
    const result = enabled ? await ensureSymlink(link.path, link.target, false, ctx.check, ctx.diff, 'service') : await absent.run({ path: link.path }, ctx);
    const shown = path.relative(root, link.path);
    if (result.changed) touched.push(enabled ? `${shown} -> ${link.target}` : shown);
    if (result.diff) diffs.push(result.diff);
  }
  const where = style === 'systemd' ? '' : ` in ${runlevel}`;
  const msg = touched.length ? `${name} ${enabled ? 'enabled' : 'disabled'}${where} inside ${root} (${style}): ${enabled ? 'linked' : 'removed'} ${touched.join(', ')}` : undefined;
  return { changed: touched.length > 0, diff: diffs.join('') || undefined, data: { backend: style, root, links: links.map((l) => l.path) }, msg };
}

/** `shared`: the directories the slave mounts from the master at boot, as a list or the inventory's nfs.shared map. */
function sharedDirs(args: Args): string[] {
  if (!args.has('shared')) return [];
  const raw = args.value('shared');
  const dirs = Array.isArray(raw) ? raw : typeof raw === 'object' && raw !== null ? Object.keys(raw) : null;
  if (!dirs || !dirs.every((d) => typeof d === 'string' && path.posix.isAbsolute(d))) {
    throw new AgentError('EARGS', `service: argument "shared" must be a list of absolute paths or an object keyed by them, got ${JSON.stringify(raw)}`);
  }
  return dirs.map((d: string) => path.posix.normalize(d).replace(/(.)\/$/, '$1'));
}
