import type { ControllerOperation } from './operation.js';
import { assert } from './assert.js';
import { debug } from './debug.js';
import { setFact } from './set-fact.js';
import { template } from './template.js';

/** The operations the controller runs itself; a task naming any other is a request to the agent. */
export const CONTROLLER_OPERATIONS: readonly ControllerOperation[] = [template, debug, assert, setFact];

export const CONTROLLER_OPERATION_BY_NAME: Readonly<Record<string, ControllerOperation>> = Object.fromEntries(CONTROLLER_OPERATIONS.map((op) => [op.name, op]));
