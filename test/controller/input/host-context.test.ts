import assert from 'node:assert/strict';
import { hostContext } from '../../../packages/controller/src/context/host-context.js';
import { loadInventory } from '../../../packages/controller/src/inventory/load-inventory.js';
import { fixture } from './input-errors.js';

describe('hostContext', () => {
  it('layers inventory, master and play vars, and keeps master, inventory and facts built in', async () => {
    const inventory = await loadInventory(fixture('inventory', 'valid.json'));
    const master = inventory.masters[0]!;
    const facts = { os: { family: 'debian' } };
    const context = hostContext(inventory, master, facts, { ntp: 'ntp.play.test', play_only: 1, master: 'shadow' });
    assert.equal(context.master, master);
    assert.equal(context.facts, facts);
    assert.deepEqual(context.inventory, { vars: { domain: 'example.test', ntp: 'pool.example.test' } });
    assert.equal(context.domain, 'example.test');
    assert.equal(context.ntp, 'ntp.play.test');
    assert.equal(context.play_only, 1);
    assert.deepEqual(context.anything, { nested: [1, 2] });
  });

  it('lets master vars override inventory vars', async () => {
    const inventory = await loadInventory(fixture('inventory', 'valid.json'));
    assert.equal(hostContext(inventory, inventory.masters[0]!, {}, {}).ntp, 'ntp.master-a.test');
    assert.equal(hostContext(inventory, inventory.masters[1]!, {}, {}).ntp, 'pool.example.test');
  });
});
