// What the commands that ask each master one question (discover, status) share: how
// many masters at once, host keys, sudo's password, and the agent bundle loaded first.
import { Flags } from '@oclif/core';
import type { AskOptions } from '../day2/ask-masters.js';
import { DEFAULT_FORKS } from '../engine/each-master.js';
import type { Connector } from '../transport/connect.js';
import { loadAgentBundle } from '../transport/agent-bundle.js';
import { askBecomePassFlag, becomePassword } from './become-password.js';
import { forksFlag } from './flags.js';

export const askFlags = {
  forks: forksFlag('masters asked at once', DEFAULT_FORKS),
  'accept-new-host-keys': Flags.boolean({ description: 'trust and record host keys not yet in known_hosts' }),
  'ask-become-pass': askBecomePassFlag,
};

export async function askOptions(
  flags: { forks: number; 'accept-new-host-keys': boolean; 'ask-become-pass': boolean },
  connector: Connector,
): Promise<AskOptions> {
  await loadAgentBundle();
  return { connector, forks: flags.forks, acceptNewHostKeys: flags['accept-new-host-keys'], becomePassword: await becomePassword(flags['ask-become-pass']) };
}
