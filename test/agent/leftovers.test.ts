// What interrupted writes leave behind, and a full disk: the old file stays whole, the
// temp files go, copies never carry them.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentProcess, expectOk, tempDir } from './agent-process.js';
import { needs, rootMissing } from '../needs.js';

const tempNames = (dir: string) => readdirSync(dir).filter((name) => name.includes('.diskless-')).sort();

async function until(what: string, test: () => boolean, limitMs: number): Promise<void> {
  const started = Date.now();
  while (!test()) {
    if (Date.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await sleep(25);
  }
}

describe('agent: leftovers of interrupted writes, a full disk', function () {
  this.timeout(30_000);
  let tmp: ReturnType<typeof tempDir>;
  const agents: AgentProcess[] = [];
  const start = (options?: ConstructorParameters<typeof AgentProcess>[1]): AgentProcess => {
    const agent = new AgentProcess({}, options);
    agents.push(agent);
    return agent;
  };
  beforeEach(() => (tmp = tempDir()));
  afterEach(async () => {
    for (const agent of agents.splice(0)) {
      if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill('SIGKILL');
      await agent.exited;
    }
    tmp.remove();
  });

  it('an agent killed during validate leaves the old file whole; the next write of it removes the temp file', async () => {
    const target = path.join(tmp.dir, 'dhcpd.conf');
    writeFileSync(target, 'old\n');
    const first = start();
    void first.request('file', { path: target, content: 'new\n', validate: 'sleep 30; true %s' });
    await until('the temp file is written', () => tempNames(tmp.dir).length === 1, 5000);
    const [left] = tempNames(tmp.dir);
    assert.match(left, new RegExp(`^\\.dhcpd\\.conf\\.diskless-${first.child.pid}-[0-9a-f]+\\.tmp$`), 'the name carries the agent pid');
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(readFileSync(target, 'utf8'), 'old\n');
    assert.deepEqual(tempNames(tmp.dir), [left], 'SIGKILL leaves it behind');

    const second = start();
    expectOk(await second.request('file', { path: target, content: 'new\n', validate: 'grep -q new %s' }));
    assert.equal(readFileSync(target, 'utf8'), 'new\n');
    assert.deepEqual(tempNames(tmp.dir), []);
  });

  it("removes only the leftovers of dead agents, never a live agent's write in progress", async () => {
    const target = path.join(tmp.dir, 'exports');
    const dead = '.exports.diskless-4194305-0badcafe.tmp'; // above pid_max: no such process
    const older = '.exports.diskless-0badf00d.tmp'; // an earlier agent's name, from before this one
    const live = `.exports.diskless-${process.pid}-feedf00d.tmp`; // this test process stands for a live agent
    const other = '.hosts.diskless-4194305-0badcafe.tmp'; // another target's: left to its own next write
    for (const name of [dead, older, live, other]) writeFileSync(path.join(tmp.dir, name), 'partial');
    utimesSync(path.join(tmp.dir, older), new Date(2020, 0, 1), new Date(2020, 0, 1));
    expectOk(await start().request('file', { path: target, content: '/srv 192.168.1.0/24(ro)\n' }));
    assert.deepEqual(tempNames(tmp.dir), [live, other].sort());
  });

  it('mknod leaves no temp file either', async function () {
    needs(this, rootMissing('mknod, a tmpfs'));
    const target = path.join(tmp.dir, 'console');
    expectOk(await start().request('mknod', { path: target, type: 'char', major: 5, minor: 1, mode: '0600' }));
    assert.deepEqual(tempNames(tmp.dir), []);
  });

  it('copy never carries temp files', async () => {
    const src = path.join(tmp.dir, 'etc');
    const dest = path.join(tmp.dir, 'skeleton');
    mkdirSync(src);
    writeFileSync(path.join(src, 'dhcpd.conf'), 'x\n');
    writeFileSync(path.join(src, '.dhcpd.conf.diskless-4194305-0badcafe.tmp'), 'partial');
    writeFileSync(path.join(src, '.dhcpd.conf.diskless-0badf00d.tmp'), 'partial');
    const answer = expectOk(await start().request('copy', { src: `${src}/`, dest, delete: true }));
    assert.deepEqual(answer.data?.items.filter((item: string) => item.includes('diskless')), []);
    assert.deepEqual(readdirSync(dest), ['dhcpd.conf']);
  });

  it('a full disk is ENOSPC naming the path; the old file stays whole and no temp file is left', async function () {
    needs(this, rootMissing('mknod, a tmpfs'));
    const small = path.join(tmp.dir, 'small');
    mkdirSync(small);
    const target = path.join(small, 'initrd.img');
    // the agent in a mount namespace of its own, where `small` is a 256 KiB tmpfs
    const agent = start({ wrap: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=256k tmpfs ${small} && exec "$0" "$@"`] });
    expectOk(await agent.request('file', { path: target, content: 'old\n' }));
    const big = Buffer.alloc(512 * 1024, 7).toString('base64');
    const answer = await agent.request('file', { path: target, contentBase64: big });
    assert.equal(answer.error?.code, 'ENOSPC');
    assert.match(answer.error!.message, new RegExp(`cannot write ${target}: no space left on the filesystem of ${small} \\(ENOSPC; 524288 bytes to write\\); the old file is kept`));
    const listing = expectOk(await agent.request('command', { argv: ['ls', '-A', small] })).data?.stdout;
    assert.equal(listing, 'initrd.img\n', 'no temp file left');
    assert.equal(expectOk(await agent.request('slurp', { path: target })).data?.content, 'old\n');
    assert.equal(existsSync(target), false, 'the tmpfs was the agent\'s own');
  });
});
