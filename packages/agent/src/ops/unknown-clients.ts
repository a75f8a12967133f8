import { openDaemonLog } from '../lib/daemon-log.js';
import { normalizeMac } from '../lib/dhcpd-message.js';
import { parseSyslogLine } from '../lib/syslog-line.js';
import { UnknownClients } from '../lib/unknown-clients.js';
import { agentOperation } from '../operation.js';
import { AgentError } from '../protocol.js';
import { argsSchema } from './arg-types.js';

/**
 * The machines dhcpd heard from that are not in the inventory (`known`: the slaves'
 * MACs), read from the master's syslog file or journal. Internal: `diskless discover`.
 */
export const unknownClients = agentOperation<{ known?: string[]; logFiles?: string[] }>({
  name: 'unknown_clients',
  mutates: false,
  playbook: false,
  description: 'Lists the machines dhcpd logged that are not in the inventory, from the syslog file or the journal, read as untrusted text (`diskless discover`).',
  data: '`source` (the file read, or "journal"), `unknown` [{`mac`, `interface`, `vendorClass`, `arch`, `firstSeen`, `lastSeen`, `count`}], `truncated` (more than 1024 MACs)',
  args: argsSchema([], {
    known: { $ref: '#/definitions/stringList', description: "The inventory's MACs: never listed." },
    logFiles: { $ref: '#/definitions/stringList', description: 'Syslog files to try instead of /var/log/syslog, /var/log/messages, /var/log/daemon.log.' },
  }),
  async run(args) {
    const known = new Set<string>();
    for (const mac of args.known ?? []) {
      const normal = normalizeMac(mac);
      if (!normal) throw new AgentError('EARGS', `unknown_clients: "${mac}" in argument "known" is not a MAC address`);
      known.add(normal);
    }
    const log = await openDaemonLog(['dhcpd'], null, args.logFiles);
    if (!log) throw new AgentError('ENOENT', 'unknown_clients: no syslog file (/var/log/syslog, /var/log/messages, /var/log/daemon.log) and no journalctl: dhcpd logs nowhere readable');
    const clients = new UnknownClients(known);
    const now = new Date();
    for await (const line of log.lines()) {
      const parsed = parseSyslogLine(line, now);
      if (parsed) clients.add(parsed);
    }
    return { changed: false, data: { source: log.source, unknown: clients.list(), truncated: clients.truncated } };
  },
});
