// master-kernel.json run through the controller's engine against a stand-in agent that
// has no kernel sources: slaves of an architecture the master's distribution kernel
// cannot boot, or of an architecture nobody can tell, stop that master before the
// agent is asked to write or run anything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hostContext } from '../../packages/controller/src/context/host-context.js';
import type { RunSummary } from '../../packages/controller/src/engine/events.js';
import { runPlays } from '../../packages/controller/src/engine/run-plays.js';
import { loadInventory } from '../../packages/controller/src/inventory/load-inventory.js';
import { loadPlaybooks } from '../../packages/controller/src/playbook/load-playbooks.js';
import { createRenderer } from '../../packages/controller/src/template/render.js';
import type { AgentClient } from '../../packages/controller/src/transport/agent-client.js';
import type { Connector } from '../../packages/controller/src/transport/connect.js';

const repo = resolve(import.meta.dirname, '../..');
const READ_ONLY_OPS = new Set(['lock', 'facts', 'stat']);

const scratch = mkdtempSync(join(tmpdir(), 'diskless-slave-kernel-refusals-'));
// The inventory's key must be one ssh can use, though nothing connects.
spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(scratch, 'key')]);
writeFileSync(join(scratch, 'known_hosts'), '');
after(() => rmSync(scratch, { recursive: true, force: true }));

/** An agent for a Debian master without kernel sources; it notes every request that would change something. */
function standInAgent(facts: Record<string, unknown>, changing: string[]): Connector {
  const request = async (op: string, args: Record<string, unknown>) => {
    if (op === 'facts') return { changed: false, data: facts };
    if (op === 'stat') return { changed: false, data: { exists: false } };
    if (!READ_ONLY_OPS.has(op)) changing.push(`${op} ${JSON.stringify(args.path ?? args.argv ?? args.shell ?? '')}`);
    return { changed: true, data: {} };
  };
  return async () => ({ agent: { request } as unknown as AgentClient, close: async () => {} });
}

/** Runs master-kernel.json on the example's master-a with its slaves' archs (and master fields) changed. */
async function runMasterKernel(archs: Record<string, string>, facts: Record<string, unknown>, master: object = {}) {
  const doc = JSON.parse(readFileSync(join(repo, 'examples/lab/inventory.json'), 'utf8'));
  doc.masters = { 'master-a': { ...doc.masters['master-a'], ...master } };
  for (const [slave, arch] of Object.entries(archs)) doc.masters['master-a'].slaves[slave].arch = arch;
  doc.defaults.ssh.privateKey = join(scratch, 'key');
  doc.defaults.ssh.knownHosts = join(scratch, 'known_hosts');
  const file = join(scratch, `inventory-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(doc));
  const inventory = await loadInventory(file);
  const plays = await loadPlaybooks([join(repo, 'playbooks/master-kernel.json')]);
  const changing: string[] = [];
  const summary: RunSummary = await runPlays(inventory, plays, {
    connector: standInAgent({ hostname: 'master-a', os: { family: 'debian', id: 'debian', version: '12' }, init: 'sysv', kernel: { release: '6.1.0-50-amd64', config: {} }, commands: {}, ...facts }, changing),
    renderer: createRenderer(),
    hostContext,
    emit: () => undefined,
  });
  const host = summary.hosts['master-a'];
  return { host, failed: host.tasks.find((t) => t.status === 'failed'), changing };
}

describe('master-kernel.json refuses slaves it cannot give a kernel', () => {
  it("fails a master whose slaves need another architecture than its distribution kernel's, before anything is written", async () => {
    const { failed, changing } = await runMasterKernel({ slave22: 'i686', slave23: 'aarch64' }, { arch: 'x86_64' });
    assert.equal(failed?.name, "Refuse slaves that the master's distribution kernel cannot boot");
    assert.match(failed?.msg ?? '', /slave22 \(i686\) slave23 \(aarch64\) cannot boot the distribution kernel of master-a, whose architecture is x86_64/);
    assert.match(failed?.msg ?? '', /kernel\.slaveFromSource/);
    assert.deepEqual(changing, []);
  });

  it("says the master's architecture is unknown when neither the agent nor kernel.arch tells it", async () => {
    const { failed, changing } = await runMasterKernel({ slave21: 'x86_64', slave22: 'x86_64', slave23: 'x86_64' }, {});
    assert.equal(failed?.name, "Refuse slaves that the master's distribution kernel cannot boot");
    assert.match(failed?.msg ?? '', /whose architecture is unknown \(set kernel\.arch in the inventory\)/);
    assert.deepEqual(changing, []);
  });

  it('refuses to name kernels when slaves without an arch meet others and the master has no known arch', async () => {
    const { failed, changing } = await runMasterKernel({ slave23: 'i686' }, {});
    assert.equal(failed?.name, 'Refuse to name a kernel for a slave of unknown architecture');
    assert.match(failed?.msg ?? '', /slave21 slave22 give no arch and this master's own architecture is unknown: set kernel\.arch/);
    assert.deepEqual(changing, []);
  });

  it("goes on to install the distribution kernel when every slave has the master's architecture", async () => {
    const { host, failed, changing } = await runMasterKernel({ slave21: 'x86_64', slave23: 'x86_64' }, {}, { kernel: { arch: 'x86_64' } });
    assert.equal(failed, undefined, JSON.stringify(host.tasks.filter((t) => t.status === 'failed')));
    assert.ok(changing.some((c) => c.includes('/usr/local/sbin/diskless-slave-kernel')), changing.join('\n'));
  });
});
