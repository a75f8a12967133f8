// A command must not outlive the agent that started it: one left running after its
// agent was killed went on writing an initramfs while the next run started a second
// copy, and the result was a truncated initrd.img. Node cannot ask the kernel to kill a
// child with its parent (prctl PR_SET_PDEATHSIG), so each command runs under a small
// sh supervisor instead, leader of the command's process group:
//
// - fd 3 is one end of a socket pair whose other end only the agent holds. A watcher
//   in the background reads it; it reads end-of-file once the agent is gone, however it
//   went (SIGKILL included), and then sends the group SIGTERM, and SIGKILL once the
//   command has ended or after STOP_GRACE_S.
// - fd 4, while the agent holds the master's run lock, is the lock's socket: the
//   supervisor and its watcher keep the lock held until the command is gone, so a new
//   run cannot start a second copy of it meanwhile. The command itself gets neither fd,
//   so a daemon it starts holds nothing.
//
// The command runs in the foreground, so it keeps default signal dispositions (sh makes
// background jobs ignore SIGINT and SIGQUIT); `trap : TERM` keeps the supervisor alive
// until the command has ended, since sh runs a trap only after its foreground command.
import type { StdioOptions } from 'node:child_process';

export const STOP_GRACE_S = 5;

const SCRIPT = `{
  read -r _ || :
  trap '' TERM
  kill -TERM 0
  n=0
  while kill -0 $$ 2>/dev/null && [ $n -lt ${STOP_GRACE_S * 10} ]; do sleep 0.1; n=$((n + 1)); done
  kill -KILL 0
} <&3 >/dev/null 2>&1 &
watcher=$!
trap : TERM
"$@" 3<&- 4<&-
rc=$?
kill $watcher 2>/dev/null
exit $rc`;

let lockDescriptor: number | undefined;

/** Process groups of the commands running now (their supervisors' pids). */
export const runningCommands = new Set<number>();

/** The run lock's socket, for the supervisors of commands started from now on to hold. */
export function holdInSupervisors(fd: number | undefined): void {
  lockDescriptor = fd;
}

/** How to spawn `argv` under a supervisor: the program, its arguments and stdio. */
export function supervised(argv: string[]): { file: string; args: string[]; stdio: StdioOptions } {
  return {
    file: '/bin/sh',
    args: ['-c', SCRIPT, 'diskless-command', ...argv],
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', ...(lockDescriptor !== undefined ? [lockDescriptor] : [])],
  };
}
