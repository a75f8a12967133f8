// The shell commands that upload and start the agent on a master, as the login user
// or as root through sudo (ssh.become), and the exec that waits for them to say they
// are ready while answering sudo's password prompt.
//
// Where the bundle lives: as root (a root login, or sudo), in /var/cache/diskless,
// written by root from the upload's stdin and its hash checked before it is moved into
// place and again before every start; under sudo it is never in a directory the login
// user (or anyone else) can write. A login user other than root without become keeps
// its bundle in ~/.cache/diskless (mode 0700) and its run lock there too.
import { randomBytes } from 'node:crypto';
import type { NodeSSH } from 'node-ssh';
import type { ClientChannel } from 'ssh2';
import { shellQuote } from './host-key-check.js';

export const REMOTE_CACHE_DIR = '/var/cache/diskless';
export const NO_NODE = 127;
export const NO_SUDO = 126;
export const MISSING = 3;
export const BAD_UPLOAD = 5;
export const PASSWORD_REFUSED = -1;

export interface RemoteAgent {
  dir: string; // a shell word
  file: string; // a shell word
  lockEnv: string; // assignments before `node`, or ""
  become?: { password?: string };
}

export function remoteAgent(user: string, sha256: string, become: 'sudo' | undefined, password: string | undefined): RemoteAgent {
  if (become || user === 'root') {
    const remote: RemoteAgent = { dir: REMOTE_CACHE_DIR, file: `${REMOTE_CACHE_DIR}/agent-${sha256}.mjs`, lockEnv: '' };
    if (become) remote.become = { password };
    return remote;
  }
  const dir = '"$HOME/.cache/diskless"';
  return { dir, file: `${dir}/agent-${sha256}.mjs`, lockEnv: `DISKLESS_LOCK_DIR=${dir}/run ` };
}

/** The script's words run as the target user: directly, or in `sh -c` under sudo. */
function wrap(remote: RemoteAgent, script: string, prompt: string): string {
  if (!remote.become) return script;
  // -n: fail rather than ask when no password was given; -S -p: read it from stdin after our own prompt.
  const ask = remote.become.password === undefined ? '-n' : `-S -p ${shellQuote(prompt)}`;
  return `command -v sudo >/dev/null 2>&1 || exit ${NO_SUDO}; exec sudo -H ${ask} -- sh -c ${shellQuote(script)}`;
}

const hashCheck = (file: string, sha256: string) => `test "$(sha256sum < ${file} | cut -c1-64)" = ${sha256}`;

/** The cache directory is its owner's alone (else nobody may swap the bundle between check and start). */
const privateDir = (remote: RemoteAgent) =>
  remote.lockEnv ? `test "$(stat -c %u:%a ${remote.dir})" = "$(id -u):700"` : `test "$(stat -c %u:%a ${remote.dir})" = 0:755`;

/**
 * node's flags for the agent. --optimize-for-size: a 1 MB young generation (node's
 * default grows it to 16 MB) and an old generation collected again after 2 MB of
 * growth, not after 8 MB or fourfold: the agent keeps a few MB alive and makes much
 * short-lived garbage. Without it, its peak RSS with 64 slaves' roots was about 30 MB
 * higher (bench/README.md, "Memory"); its CPU time did not measurably change.
 */
export const AGENT_NODE_FLAGS = '--optimize-for-size';

/** Checks node and the cached bundle (its directory's owner and mode, its hash), says `marker`, then becomes the agent. */
export function startCommand(remote: RemoteAgent, sha256: string, marker: string, controllerTimeoutMs: number, prompt: string): string {
  const script =
    `command -v node >/dev/null 2>&1 || exit ${NO_NODE}; ${privateDir(remote)} && test -f ${remote.file} && ${hashCheck(remote.file, sha256)} || exit ${MISSING}; ` +
    `echo ${marker}; exec env ${remote.lockEnv}node ${AGENT_NODE_FLAGS} ${remote.file} --stdio --controller-timeout ${controllerTimeoutMs}`;
  return wrap(remote, script, prompt);
}

/** Says `marker`, reads the bundle from stdin, checks its hash, moves it into place. */
export function uploadCommand(remote: RemoteAgent, sha256: string, marker: string, prompt: string): string {
  const tmp = `${remote.dir}/.upload.$$`;
  const script =
    `umask 077; mkdir -p ${remote.dir} && chown "$(id -u):$(id -g)" ${remote.dir} && chmod ${remote.lockEnv ? '700' : '755'} ${remote.dir} && umask 022 && echo ${marker} && ` +
    `cat > ${tmp} && ${hashCheck(tmp, sha256)} && mv -f ${tmp} ${remote.file} || { rm -f ${tmp}; exit ${BAD_UPLOAD}; }`;
  return wrap(remote, script, prompt);
}

/** A prompt sudo prints and nothing else would: sudo's "%" escapes are not used. */
export function newPrompt(): string {
  return `diskless-sudo-password-${randomBytes(8).toString('hex')}:`;
}

export function execChannel(ssh: NodeSSH, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    ssh.connection!.exec(command, (error, channel) => (error ? reject(error) : resolve(channel)));
  });
}

/**
 * Runs a command and resolves with its channel once it prints the marker line on
 * stdout (anything before is the login shell's chatter), or with its exit code and
 * stderr when it ends first. sudo's prompt on stderr is answered once with the
 * password; a second prompt means sudo refused it (PASSWORD_REFUSED). The prompt
 * never shows in the stderr returned.
 */
export async function execUntilMarker(
  ssh: NodeSSH,
  command: string,
  marker: string,
  timeoutMs: number,
  become?: { password?: string; prompt: string },
): Promise<{ channel: ClientChannel } | { code: number; stderr: string }> {
  const channel = await execChannel(ssh, command);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let code = 255;
    let answered = false;
    const onStdout = (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (!stdout.endsWith(`${marker}\n`)) return;
      stopWatching();
      resolve({ channel });
    };
    const onStderr = (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (!become || become.password === undefined || !stderr.includes(become.prompt)) return;
      stderr = stderr.replace(become.prompt, '');
      if (answered) {
        stopWatching();
        channel.close();
        resolve({ code: PASSWORD_REFUSED, stderr: stderr.trim() });
        return;
      }
      answered = true;
      channel.write(`${become.password}\n`);
    };
    const onExit = (exitCode: number | null) => (code = exitCode ?? 255);
    // ssh2 may emit 'exit' before the awaited exec callback lets us listen; 'close' carries it too.
    const onClose = (closeCode?: number | null) => {
      stopWatching();
      resolve({ code: typeof closeCode === 'number' ? closeCode : code, stderr: stderr.trim() });
    };
    const timer = setTimeout(() => {
      stopWatching();
      channel.close();
      reject(new Error(`\`${command.slice(0, 60)}…\` did not get ready within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    function stopWatching() {
      clearTimeout(timer);
      channel.off('data', onStdout);
      channel.stderr.off('data', onStderr);
      channel.off('exit', onExit);
      channel.off('close', onClose);
      // Held until the reader of the channel takes it.
      channel.pause();
    }
    channel.on('data', onStdout);
    channel.stderr.on('data', onStderr);
    channel.on('exit', onExit);
    channel.on('close', onClose);
  });
}

/** Feeds `input` to a channel that is ready for it and resolves with its exit code and stderr. */
export function finish(channel: ClientChannel, input: Buffer, timeoutMs: number): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  let code = 255;
  channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  channel.on('data', () => {});
  channel.on('exit', (exitCode: number | null) => (code = exitCode ?? 255));
  const done = new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      channel.close();
      reject(new Error(`the upload did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    channel.on('close', (closeCode?: number | null) => {
      clearTimeout(timer);
      resolve({ code: typeof closeCode === 'number' ? closeCode : code, stderr: stderr.trim() });
    });
  });
  channel.resume();
  channel.end(input);
  return done;
}
