import { Args } from '../lib/args.js';
import { openDaemonLog } from '../lib/daemon-log.js';
import { normalizeMac } from '../lib/dhcpd-message.js';
import { parseSyslogLine } from '../lib/syslog-line.js';
import { UnknownClients } from '../lib/unknown-clients.js';
import { AgentError, type Operation } from '../protocol.js';

/**
 * The machines dhcpd heard from that are not in the inventory (`known`: the slaves'
 * MACs), read from the master's syslog file or journal. Internal: `diskless discover`.
 */
export const unknownClients: Operation = {
  mutates: false,
  async run(raw) {
    const args = new Args('unknown_clients', raw);
    const known = new Set<string>();
    for (const mac of args.optStringList('known') ?? []) {
      const normal = normalizeMac(mac);
      if (!normal) throw new AgentError('EARGS', `unknown_clients: "${mac}" in argument "known" is not a MAC address`);
      known.add(normal);
    }
    const files = args.optStringList('logFiles');
    const log = await openDaemonLog(['dhcpd'], null, files);
    if (!log) throw new AgentError('ENOENT', 'unknown_clients: no syslog file (/var/log/syslog, /var/log/messages, /var/log/daemon.log) and no journalctl: dhcpd logs nowhere readable');
    const clients = new UnknownClients(known);
    const now = new Date();
    for await (const line of log.lines()) {
      const parsed = parseSyslogLine(line, now);
      if (parsed) clients.add(parsed);
    }
    return { changed: false, data: { source: log.source, unknown: clients.list(), truncated: clients.truncated } };
  },
};
