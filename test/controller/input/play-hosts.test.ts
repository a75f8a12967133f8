import assert from 'node:assert/strict';
import { loadInventory } from '../../../packages/controller/src/inventory/load-inventory.js';
import { checkPlayHosts, unknownHosts } from '../../../packages/controller/src/playbook/check-play-hosts.js';
import { loadPlaybooks } from '../../../packages/controller/src/playbook/load-playbooks.js';
import { loadRun } from '../../../packages/controller/src/playbook/load-run.js';
import { assertError, fixture, inputErrorsOf } from './input-errors.js';

describe('checkPlayHosts', () => {
  it('refuses a hosts name that is no master, at the play\'s hosts, with a suggestion', async () => {
    const file = fixture('playbooks', 'bad', 'hosts.json');
    const inventory = await loadInventory(fixture('inventory', 'valid.json'));
    const plays = await loadPlaybooks([file]);
    assert.deepEqual(plays.map((p) => unknownHosts(p, inventory)), [[], ['mastr-b'], []]);
    const errors = await inputErrorsOf(() => checkPlayHosts(plays, inventory));
    assert.equal(errors.length, 1);
    assertError(errors, {
      file,
      pointer: '/1/hosts',
      line: '"typo"',
      message: `hosts names "mastr-b", which is no master in ${inventory.file} (did you mean "master-b"?)`,
    });
  });

  it('accepts the example playbooks against the valid inventory', async () => {
    const inventory = await loadInventory(fixture('inventory', 'valid.json'));
    await checkPlayHosts(await loadPlaybooks([fixture('playbooks', 'good', 'site.json')]), inventory);
  });

  it('is part of the load path every command uses: a play that would run nowhere is refused', async () => {
    const file = fixture('playbooks', 'bad', 'hosts.json');
    const errors = await inputErrorsOf(() => loadRun({ inventory: fixture('inventory', 'valid.json'), playbooks: [file] }));
    assert.deepEqual(errors.map((e) => [e.where?.pointer, e.where?.line]), [['/1/hosts', 3]]);
  });
});
