// What templates and `when` expressions see for one master.
import type { HostContext, Inventory, Master } from '../types.js';

/**
 * Variables from the inventory, then the master's, then the play's, each overriding the
 * one before; `master`, `inventory` and `facts` always mean the built-in objects.
 */
export function hostContext(
  inventory: Inventory,
  master: Master,
  facts: Record<string, unknown>,
  vars: Record<string, unknown>,
): HostContext {
  return {
    ...inventory.vars,
    ...master.vars,
    ...vars,
    master,
    inventory: { vars: inventory.vars },
    facts,
  };
}
