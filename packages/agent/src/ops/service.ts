import { existsSync } from 'node:fs';
import path from 'node:path';
import { chooseServiceBackend } from '../backends/service/choose.js';
import type { ServiceAction } from '../backends/service/service-backend.js';
import { runlevelLinks, type RunlevelLink } from '../backends/service/slave-root-links.js';
import { findUnitFile, systemdLinks } from '../backends/service/systemd-root-links.js';
import { runChecked, runCommand } from '../lib/run-command.js';
import { agentOperation } from '../operation.js';
import { AgentError, type OpContext, type OpResult } from '../protocol.js';
import { absent } from './absent.js';
import { ensureSymlink } from './link.js';
import { argsSchema } from './arg-types.js';

const PAST: Record<ServiceAction, string> = { start: 'started', stop: 'stopped', restart: 'restarted', reload: 'reloaded' };

type State = 'started' | 'stopped' | 'restarted' | 'reloaded';

interface ServiceArgs {
  name: string;
  state?: State;
  enabled?: boolean;
  runlevel?: string;
  root?: string;
  backend?: 'openrc' | 'systemd' | 'sysv';
  shared?: string[] | Record<string, unknown>;
}

/** A name that ends up in an argv or a path: no "/", not starting with "-". */
const NAME = { type: 'string', pattern: '^[^-/][^/]*$', expected: 'a name without "/" that does not start with "-"' };

export const service = agentOperation<ServiceArgs>({
  name: 'service',
  mutates: true,
  playbook: true,
  description: 'Starts/stops a service and enables it at boot; with `root`, only makes the links that enable it inside that slave root.',
  data: '`backend`; with `root`: `root`, `links`',
  args: argsSchema(['name'], {
    name: NAME,
    state: {
      anyOf: [{ enum: ['started', 'stopped', 'restarted', 'reloaded'] }, { $ref: '#/definitions/template' }],
      expected: 'started, stopped, restarted, reloaded or a {{template}}',
      description: 'started and stopped look at the status first; restarted and reloaded always act.',
    },
    enabled: { $ref: '#/definitions/bool', description: 'Started at boot.' },
    runlevel: { ...NAME, description: 'Default "default".' },
    root: { $ref: '#/definitions/path', description: 'A slave root: the links that enable the service are made inside it, nothing runs.' },
    backend: { enum: ['openrc', 'systemd', 'sysv'], description: 'Default: the init system that runs now, or with `root` what the root holds.' },
    shared: {
      anyOf: [
        { type: 'array', items: { $ref: '#/definitions/path' } },
        { type: 'object', propertyNames: { $ref: '#/definitions/path' } },
        { $ref: '#/definitions/template' },
      ],
      expected: "a list of absolute paths, the inventory's nfs.shared map or a {{template}}",
      description: 'With `root`: directories the slave mounts from the master at boot.',
    },
  }),
  async run(args, ctx) {
    const { name, state, enabled, root, backend: named } = args;
    const runlevel = args.runlevel ?? 'default';
    const shared = sharedDirs(args.shared);
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
});

async function neededAction(statusArgv: string[], state: State): Promise<ServiceAction | null> {
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
function sharedDirs(shared: ServiceArgs['shared']): string[] {
  const dirs = shared === undefined ? [] : Array.isArray(shared) ? shared : Object.keys(shared);
  return dirs.map((d) => path.posix.normalize(d).replace(/(.)\/$/, '$1'));
}
