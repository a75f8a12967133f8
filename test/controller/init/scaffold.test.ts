import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMasterChange } from '../../../packages/controller/src/init/add-master.js';
import { EXAMPLE_MASTER, inventoryText, scaffold } from '../../../packages/controller/src/init/scaffold.js';

describe('init: the site directory', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'diskless-init-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies every playbook, template and schema and notes the version they came from', async () => {
    await scaffold(join(dir, 'site'), inventoryText(EXAMPLE_MASTER), '9.8.7');
    const repo = join(import.meta.dirname, '../../..');
    for (const f of readdirSync(join(repo, 'playbooks'), { recursive: true }) as string[]) {
      assert.ok(existsSync(join(dir, 'site/playbooks', f)), `playbooks/${f} not copied`);
    }
    assert.equal(readFileSync(join(dir, 'site/playbooks/VERSION'), 'utf8'), 'diskless 9.8.7\n');
    assert.deepEqual(readdirSync(join(dir, 'site')).sort(), ['.gitignore', 'README.md', 'inventory.json', 'playbooks', 'schemas'], 'a staging directory was left behind');
  });

  it('writes nothing into a directory that already has one of its files', async () => {
    writeFileSync(join(dir, '.gitignore'), 'mine\n');
    await assert.rejects(scaffold(dir, inventoryText(EXAMPLE_MASTER), '1.0.0'), /already has \.gitignore: init overwrites nothing/);
    assert.deepEqual(readdirSync(dir), ['.gitignore']);
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'mine\n');
  });

  it('adds a master to an inventory in place, keeping the rest of its layout, and refuses a name taken', async () => {
    const file = join(dir, 'inventory.json');
    const original = '{\n    "vars": { "domain": "x.test" },\n    "masters": {\n        "m1": { "lan": { "interface": "eth1", "address": "10.0.0.1", "prefix": 24 }, "nfs": { "server": "ganesha" } }\n    }\n}\n';
    writeFileSync(file, original);
    const { after: text } = await addMasterChange(file, 'm2', { ssh: { host: '10.9.9.9' } });
    assert.ok(text.startsWith('{\n    "vars": { "domain": "x.test" },\n    "masters": {\n        "m1": { "lan": { "interface": "eth1", "address": "10.0.0.1", "prefix": 24 }, "nfs": { "server": "ganesha" } },'), text);
    assert.deepEqual(JSON.parse(text).masters.m2, { ssh: { host: '10.9.9.9' } });
    await assert.rejects(addMasterChange(file, 'm1', {}), /a master named "m1" is already in the inventory/);
  });
});
