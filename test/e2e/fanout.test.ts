// The controller's SSH path across several real masters at once: the lab's two sshd
// masters plus a third that does not answer, a changed host key, and a task that
// fails on one master only. Checked from the --json report, the exit code and each
// master's own disk.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeManagementNetwork, type InventoryDocument, type Lab, labDown, labUp, masterRootPath, writeLabInventory } from '../lab/index.js';
import { apply, type ApplyReport, failures, repoRoot } from './slave-clients.js';
import { needs, rootMissing } from '../needs.js';

const LAB = 'fan';
const GHOST_TIMEOUT_MS = 3_000;
const example = join(repoRoot, 'examples/lab/inventory.json');

/** The message the --json report gives for a master it could not reach. */
const unreachableMessage = (report: ApplyReport, master: string): string =>
  (report.hosts[master] as { msg?: string }).msg ?? '';

/** A small playbook: files under /srv/fanout and a handler that appends a line per run. */
function playbook(content: string, extraTasks: unknown[] = []): unknown {
  return {
    name: 'fanout',
    hosts: 'masters',
    tasks: [
      { name: 'Make the directory', directory: { path: '/srv/fanout' } },
      { name: 'Write the note', file: { path: '/srv/fanout/note', content: `${content} on {{master.name}}\n` }, notify: ['record'] },
      { name: 'Write the greeting', template: { src: 'greeting.hbs', path: '/srv/fanout/greeting' } },
      ...extraTasks,
    ],
    handlers: [{ name: 'record', command: { shell: 'echo run >> /srv/fanout/handler-runs' } }],
  };
}

describe('apply across several masters over SSH (lab "fan")', function () {
  this.timeout(10 * 60_000);
  let dir: string;
  let lab: Lab;
  let labInventory: string;
  let withGhost: string;
  let ghostHost: string;
  const book = (name: string, doc: unknown) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(doc, null, 2));
    return file;
  };
  const onMaster = (master: string, path: string) => join(masterRootPath(lab, master), path);
  const read = (master: string, path: string) => readFileSync(onMaster(master, path), 'utf8');
  const handlerRuns = (master: string) =>
    existsSync(onMaster(master, '/srv/fanout/handler-runs')) ? read(master, '/srv/fanout/handler-runs').split('\n').filter(Boolean).length : 0;
  const timed = async (run: () => Promise<ApplyReport>) => {
    const started = Date.now();
    const report = await run();
    return { report, ms: Date.now() - started };
  };

  before(async function () {
    needs(this, rootMissing('a lab'));
    assert.ok(!existsSync('/srv/fanout'), '/srv/fanout exists on this machine; the test could not tell the masters\' disks from it');
    dir = mkdtempSync(join(tmpdir(), 'diskless-fanout-'));
    const gateway = await freeManagementNetwork();
    labInventory = writeLabInventory(example, dir, gateway);
    lab = await labUp({ inventoryFile: labInventory, name: LAB, managementCidr: `${gateway}/24` });
    // The CLI's inventory has a third master on an address of the lab's network that nothing answers.
    const doc = JSON.parse(readFileSync(labInventory, 'utf8')) as InventoryDocument;
    const ghost = structuredClone(doc.masters['master-b']);
    ghostHost = `${gateway.split('.').slice(0, 3).join('.')}.250`;
    ghost.ssh = { ...ghost.ssh, host: ghostHost, timeoutMs: GHOST_TIMEOUT_MS };
    ghost.lan = { ...ghost.lan, address: '192.168.3.1', routers: '192.168.3.1', dns: ['192.168.3.1'] };
    ghost.slaves = {};
    doc.masters['ghost'] = ghost;
    withGhost = join(dir, 'inventory-with-ghost.json');
    writeFileSync(withGhost, JSON.stringify(doc, null, 2));
    writeFileSync(join(dir, 'greeting.hbs'), 'hello from {{facts.hostname}}\n');
  });

  after(async function () {
    if (process.getuid?.() !== 0) return;
    await labDown({ name: LAB });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('applies on the two real masters, reports the ghost unreachable, and is not held back by it', async () => {
    const baseline = await timed(() => apply(book('first', playbook('first')), labInventory, ['--check']));
    const { report, ms } = await timed(() => apply(book('first', playbook('first')), withGhost));
    console.log(`      (check run ${baseline.ms} ms, run with the ghost ${ms} ms)`);
    assert.equal(report.code, 4, failures(report));
    for (const master of ['master-a', 'master-b']) {
      const h = report.hosts[master];
      assert.equal(h.unreachable, false, master);
      assert.equal(h.failed, 0, failures(report));
      assert.ok(h.changed >= 3, `${master} changed ${h.changed}`);
      assert.equal(read(master, '/srv/fanout/note'), `first on ${master}\n`);
      assert.equal(read(master, '/srv/fanout/greeting'), `hello from ${master}\n`);
      assert.equal(handlerRuns(master), 1);
    }
    assert.ok(!existsSync('/srv/fanout'), 'the playbook wrote on the machine itself');
    const ghost = report.hosts['ghost'];
    assert.equal(ghost.unreachable, true);
    assert.match(unreachableMessage(report, 'ghost'), new RegExp(`ghost|${ghostHost.replaceAll('.', '\\.')}`));
    assert.ok(ms < baseline.ms + GHOST_TIMEOUT_MS + 5_000, `took ${ms} ms`);
  });

  it('changes nothing on a second run', async () => {
    const report = await apply(book('first', playbook('first')), labInventory);
    assert.equal(report.code, 0, failures(report));
    for (const master of ['master-a', 'master-b']) {
      assert.equal(report.hosts[master].changed, 0, master);
      assert.ok(!report.hosts[master].tasks.some((t) => t.handler), `${master} ran a handler`);
      assert.equal(handlerRuns(master), 1);
    }
  });

  it('refuses a master whose host key is not the known one and writes nothing there', async () => {
    const knownHosts = join(dir, 'known_hosts');
    const original = readFileSync(knownHosts, 'utf8');
    const hostB = lab.masters.find((m) => m.name === 'master-b')!.sshHost;
    const throwaway = join(dir, 'throwaway');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', throwaway]);
    const otherKey = readFileSync(`${throwaway}.pub`, 'utf8').trim();
    const lines = original.split('\n').filter(Boolean);
    assert.ok(lines.some((l) => l.split(' ')[0].split(',').includes(hostB)), `no known_hosts line for ${hostB}`);
    writeFileSync(knownHosts, lines.map((l) => (l.split(' ')[0].split(',').includes(hostB) ? `${l.split(' ')[0]} ${otherKey}` : l)).join('\n') + '\n');
    try {
      const report = await apply(book('second', playbook('second')), labInventory);
      assert.equal(report.code, 4, failures(report));
      assert.equal(report.hosts['master-b'].unreachable, true);
      assert.match(unreachableMessage(report, 'master-b'), /HOST KEY OF .* HAS CHANGED/);
      assert.equal(read('master-a', '/srv/fanout/note'), 'second on master-a\n');
      assert.equal(read('master-b', '/srv/fanout/note'), 'first on master-b\n');
    } finally {
      writeFileSync(knownHosts, original);
    }
  });

  it('fails one master on its own task while the other finishes and runs its handler', async () => {
    const failing = { name: 'Fail on master-b only', when: "master.name == 'master-b'", command: { argv: ['false'] } };
    const runsA = handlerRuns('master-a');
    const runsB = handlerRuns('master-b');
    const report = await apply(book('third', playbook('third', [failing])), labInventory);
    assert.equal(report.code, 2, failures(report));
    assert.equal(report.hosts['master-a'].failed, 0, failures(report));
    assert.equal(report.hosts['master-b'].failed, 1, failures(report));
    assert.equal(read('master-a', '/srv/fanout/note'), 'third on master-a\n');
    assert.equal(handlerRuns('master-a'), runsA + 1);
    assert.ok(report.hosts['master-a'].tasks.some((t) => t.handler));
    assert.equal(handlerRuns('master-b'), runsB);
    assert.ok(!report.hosts['master-b'].tasks.some((t) => t.handler));
  });
});
