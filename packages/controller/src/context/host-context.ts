// What templates and `when` expressions see for one master.
import type { HostContext, Inventory, Master } from '../types.js';

/** What the command line asked of this run, as playbooks read it (`run.removeOrphanRoots`). */
export interface RunFlags {
  /** `apply --remove-orphan-roots`: remove the roots of slaves no longer in the inventory. */
  removeOrphanRoots: boolean;
}

export const DEFAULT_RUN_FLAGS: RunFlags = Object.freeze({ removeOrphanRoots: false });

/**
 * Variables from the inventory, then the master's, then the play's, each overriding the
 * one before; `master`, `inventory`, `facts` and `run` always mean the built-in objects.
 */
export function hostContext(
  inventory: Inventory,
  master: Master,
  facts: Record<string, unknown>,
  vars: Record<string, unknown>,
  run: RunFlags = DEFAULT_RUN_FLAGS,
): HostContext {
  return {
    ...inventory.vars,
    ...master.vars,
    ...vars,
    master,
    inventory: { vars: inventory.vars },
    facts,
    run: { ...run },
  };
}
