// Runs the diskless CLI as a user does, in a child process, with a workspace's own
// run locks so tests never meet other runs.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Workspace } from './workspace.js';

export const BIN = fileURLToPath(new URL('../../../packages/controller/bin/run.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cliEnv(ws: Workspace, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, DISKLESS_LOCK_DIR: ws.lockDir, NO_COLOR: '1', ...extra };
}

export function runCli(ws: Workspace, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: cliEnv(ws, env) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
