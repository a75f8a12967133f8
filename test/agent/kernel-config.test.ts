import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyKernelOptions, parseKernelConfig } from '../../packages/agent/src/lib/kernel-config-text.js';
import { AgentProcess, expectOk, tempDir } from './agent-process.js';

const CONFIG = '# Linux kernel config\nCONFIG_INET=y\n# CONFIG_NFSD is not set\nCONFIG_NFS_FS=m\nCONFIG_LOCALVERSION=""\n';

describe('agent: kernel_config', () => {
  let agent: AgentProcess;
  let tmp: ReturnType<typeof tempDir>;
  let target: string;
  beforeEach(() => {
    agent = new AgentProcess();
    tmp = tempDir();
    target = path.join(tmp.dir, '.config');
    writeFileSync(target, CONFIG);
  });
  afterEach(async () => {
    await agent.close();
    tmp.remove();
  });

  const options = { CONFIG_INET: 'y', CONFIG_NFSD: 'y', CONFIG_NFS_FS: 'y', CONFIG_ROOT_NFS: 'y', CONFIG_MODULES: 'n', CONFIG_LOCALVERSION: null };

  it('reports exactly the options that changed, then nothing', async () => {
    const checked = expectOk(await agent.request('kernel_config', { path: target, options }, { check: true, diff: true }));
    assert.deepEqual(checked.data!.changedOptions, ['CONFIG_NFSD', 'CONFIG_NFS_FS', 'CONFIG_LOCALVERSION', 'CONFIG_ROOT_NFS', 'CONFIG_MODULES']);
    assert.match(checked.diff!, /^-# CONFIG_NFSD is not set$/m);
    assert.match(checked.diff!, /^\+CONFIG_NFSD=y$/m);
    assert.equal(readFileSync(target, 'utf8'), CONFIG, 'check mode leaves the file alone');
    const first = expectOk(await agent.request('kernel_config', { path: target, options }));
    assert.equal(first.changed, true);
    assert.equal(readFileSync(target, 'utf8'), '# Linux kernel config\nCONFIG_INET=y\nCONFIG_NFSD=y\nCONFIG_NFS_FS=y\nCONFIG_ROOT_NFS=y\n# CONFIG_MODULES is not set\n');
    assert.deepEqual(readdirSync(tmp.dir), ['.config']);
    const second = expectOk(await agent.request('kernel_config', { path: target, options }));
    assert.deepEqual([second.changed, second.data!.changedOptions], [false, []]);
  });

  it('refuses bad option names and values, and a missing file', async () => {
    const badName = await agent.request('kernel_config', { path: target, options: { NFSD: 'y' } });
    assert.equal(badName.error?.code, 'EARGS');
    assert.match(badName.error!.message, /"options" has a key "NFSD" .*CONFIG_NAME.*\.config/);
    const badValue = await agent.request('kernel_config', { path: target, options: { CONFIG_X: true } });
    assert.match(badValue.error!.message, /CONFIG_X/);
    const missing = await agent.request('kernel_config', { path: path.join(tmp.dir, 'none'), options });
    assert.equal(missing.error?.code, 'ENOENT');
    assert.match(missing.error!.message, /none/);
  });

  it('parses and edits .config text as pure functions', () => {
    assert.deepEqual([...parseKernelConfig(CONFIG)], [['CONFIG_INET', 'y'], ['CONFIG_NFSD', 'n'], ['CONFIG_NFS_FS', 'm'], ['CONFIG_LOCALVERSION', '""']]);
    assert.deepEqual(applyKernelOptions(CONFIG, { CONFIG_NFSD: 'n', CONFIG_GONE: null }), { text: CONFIG, changedOptions: [] });
  });
});
