import { existsSync } from 'node:fs';
import path from 'node:path';
import { chooseServiceBackend } from '../backends/service/choose.js';
import type { ServiceAction } from '../backends/service/service-backend.js';
import { runlevelLinks } from '../backends/service/slave-root-links.js';
import { Args } from '../lib/args.js';
import { runChecked, runCommand } from '../lib/run-command.js';
import { AgentError, type OpContext, type OpResult, type Operation } from '../protocol.js';
import { absent } from './absent.js';
import { ensureSymlink } from './link.js';

const STATES = ['started', 'stopped', 'restarted', 'reloaded'] as const;
const INITS = ['openrc', 'systemd', 'sysv'] as const;
const PAST: Record<ServiceAction, string> = { start: 'started', stop: 'stopped', restart: 'restarted', reload: 'reloaded' };

/** Starts/stops a service and enables it at boot; with `root`, only makes runlevel links inside that slave root. */
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
    if (state === undefined && enabled === undefined) throw new AgentError('EARGS', `service: give "state" or "enabled" (or both) for service ${name}`);
    if (root) {
      if (state !== undefined) throw new AgentError('EARGS', `service: "state" cannot be used with "root" ${root}: nothing runs inside a slave root`);
      return enableInSlaveRoot(name, runlevel, root, enabled!, named, ctx);
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

async function enableInSlaveRoot(name: string, runlevel: string, root: string, enabled: boolean, named: string | undefined, ctx: OpContext): Promise<OpResult> {
  const style = named === 'openrc' || (named === undefined && existsSync(path.join(root, 'etc/runlevels'))) ? 'openrc' : 'sysv';
  const results: OpResult[] = [];
  for (const link of runlevelLinks(root, name, runlevel, style)) {
    results.push(
      enabled
        ? await ensureSymlink(link.path, link.target, false, ctx.check, ctx.diff, 'service')
        : await absent.run({ path: link.path }, ctx),
    );
  }
  const changed = results.some((r) => r.changed);
  const diff = results.map((r) => r.diff ?? '').join('') || undefined;
  return { changed, diff, data: { backend: style, root }, msg: changed ? `${name} ${enabled ? 'enabled' : 'disabled'} in ${runlevel} inside ${root}` : undefined };
}
