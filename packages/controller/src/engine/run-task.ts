// Runs one task (with its loop and condition) on one master. The operations in
// ../operations/ run here on the controller; every other operation is one request to
// the master's agent.
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AgentError, InputError, UnreachableError } from '../errors.js';
import type { HostContext, Play, Task } from '../types.js';
import type { Renderer } from '../template/render.js';
import { AgentRequestError } from '../transport/agent-client.js';
import type { EmitEvent, TaskResult } from './events.js';
import { CONTROLLER_OPERATION_BY_NAME } from '../operations/index.js';
import { answered, type OperationOutcome } from '../operations/operation.js';
import { evaluate, truthy } from './expression.js';
import type { MasterState } from './master-state.js';

export type { Renderer };

export interface TaskOptions {
  check: boolean;
  diff: boolean;
  renderer: Renderer;
  emit: EmitEvent;
}

interface ItemOutcome {
  changed: boolean;
  failed: boolean;
  skipped: boolean;
  msg?: string;
  diff?: string;
  data?: Record<string, unknown>;
  item?: unknown;
}

/** How an error reads as a failed task's message. */
export function messageOf(error: unknown): string {
  if (error instanceof AgentError) return `${error.code}: ${error.message}`;
  if (error instanceof InputError) return error.toString();
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whatever goes wrong in a task fails that task with the message (a bug too: the
 * master's other tasks must not be reported as unreachable for it). Only a lost
 * connection to the master's agent ends the master's run as unreachable.
 */
function failedOutcome(error: unknown): ItemOutcome {
  if (error instanceof UnreachableError) throw error;
  const data = error instanceof AgentRequestError ? error.data : undefined;
  return { changed: false, failed: true, skipped: false, msg: messageOf(error), ...(data ? { data } : {}) };
}

function where(play: Play, task: Task, key?: string) {
  return { file: play.file, pointer: key ? `${task.pointer}/${key}` : task.pointer };
}

async function loopItems(play: Play, task: Task, state: MasterState, options: TaskOptions): Promise<unknown[] | undefined> {
  if (task.loop === undefined) return undefined;
  const ctx = state.context(play);
  const value =
    typeof task.loop === 'string' && !task.loop.includes('{{')
      ? evaluate(task.loop, ctx)
      : options.renderer.renderValue(task.loop, ctx, where(play, task, 'loop'));
  if (!Array.isArray(value)) {
    throw new InputError(`loop must give a list, got ${JSON.stringify(value) ?? 'undefined'}`, where(play, task, 'loop'));
  }
  return value;
}

/** An item whose request is on its way: its outcome comes with the agent's answer. */
interface SentItem {
  outcome: Promise<ItemOutcome>;
}

const done = (outcome: ItemOutcome): SentItem => ({ outcome: Promise.resolve(outcome) });

/**
 * Starts one item's operation and resolves once its request is written to the agent
 * (or it finished without one), with its outcome still to come: items are sent in
 * order without waiting for each other's answers.
 */
async function sendOperation(play: Play, task: Task, ctx: HostContext, state: MasterState, options: TaskOptions): Promise<{ outcome: Promise<OperationOutcome> }> {
  const { renderer } = options;
  const render = (value: unknown, argument: string) => renderer.renderValue(value, ctx, where(play, task, argument ? `${task.op}/${argument}` : task.op));
  const requestOptions = {
    check: options.check,
    diff: options.diff,
    onOutput: (event: { stream: 'stdout' | 'stderr'; data: string }) =>
      options.emit({ type: 'output', host: state.master.name, task: task.name, ...event }),
  };
  const request = (op: string, args: Record<string, unknown>) => state.agent.request(op, args, requestOptions);
  const local = CONTROLLER_OPERATION_BY_NAME[task.op];
  if (!local) return { outcome: request(task.op, render(task.args, '') as Record<string, unknown>).then(answered) };
  let markSent!: () => void;
  const sent = new Promise<void>((resolveSent) => (markSent = resolveSent));
  const sendingRequest = (op: string, args: Record<string, unknown>) => {
    const answer = request(op, args);
    markSent();
    return answer;
  };
  const renderFile = (src: string) => renderer.renderFile(resolve(play.dir, src), ctx);
  const outcome = local.run({ args: task.args, context: ctx, render, renderFile, vars: state.vars, request: sendingRequest });
  await Promise.race([sent, outcome.then(undefined, () => undefined)]);
  return { outcome };
}

/** Renders and sends one item's request; resolves once it is sent, with its answer to come. */
async function sendItem(play: Play, task: Task, state: MasterState, options: TaskOptions, item: unknown, looped: boolean): Promise<SentItem> {
  const ctx = state.context(play, item);
  const base = looped ? { item } : {};
  let sent: SentItem;
  try {
    if (task.when !== undefined && !truthy(evaluate(task.when, ctx))) {
      sent = done({ changed: false, failed: false, skipped: true, msg: `skipped: ${task.when}` });
    } else {
      const { outcome } = await sendOperation(play, task, ctx, state, options);
      // keys in the order a registered result has always shown them
      sent = { outcome: outcome.then(({ changed, failed, ...rest }) => ({ changed, failed, skipped: false, ...rest })) };
    }
  } catch (error) {
    sent = { outcome: Promise.reject(error) };
  }
  const outcome = sent.outcome.then(
    (o): ItemOutcome => ({ ...base, ...o }),
    (error: unknown): ItemOutcome => ({ ...base, ...failedOutcome(error) }),
  );
  // Only a lost agent rejects (failedOutcome rethrows it); runTask sees it through
  // Promise.all, possibly after later items were sent: never an unhandled rejection.
  outcome.catch(() => undefined);
  return { outcome };
}

function summarize(outcomes: ItemOutcome[], looped: boolean) {
  const failed = outcomes.some((o) => o.failed);
  const changed = outcomes.some((o) => o.changed);
  const skipped = outcomes.every((o) => o.skipped);
  const diffs = outcomes.map((o) => o.diff).filter((d): d is string => Boolean(d));
  const messages = looped
    ? outcomes.filter((o) => o.failed).map((o) => `item ${JSON.stringify(o.item)}: ${o.msg}`)
    : outcomes.map((o) => o.msg).filter((m): m is string => Boolean(m));
  return { failed, changed, skipped, diff: diffs.join('\n') || undefined, msg: messages.join('\n') || undefined };
}

/** Runs a task and reports it; resolves with its result (the caller decides what a failure stops). */
export async function runTask(play: Play, task: Task, state: MasterState, options: TaskOptions, handler = false): Promise<TaskResult> {
  const host = state.master.name;
  options.emit({ type: 'task-start', host, playbook: play.name, task: task.name });
  const started = performance.now();
  let outcomes: ItemOutcome[];
  let looped = false;
  try {
    const items = await loopItems(play, task, state, options);
    looped = items !== undefined;
    // Items are sent one after another without waiting for each answer: the agent runs
    // requests that change the disk in arrival order (and reads after the writes sent
    // before them), so later items still see earlier ones' files, and a loop over
    // hundreds of slaves costs one round trip instead of one per item.
    const sent: SentItem[] = [];
    for (const item of items ?? [undefined]) sent.push(await sendItem(play, task, state, options, item, looped));
    outcomes = await Promise.all(sent.map((x) => x.outcome));
  } catch (error) {
    outcomes = [failedOutcome(error)];
  }
  const summary = summarize(outcomes, looped);
  if (task.register) {
    const single = outcomes[0];
    state.vars[task.register] = looped
      ? { changed: summary.changed, failed: summary.failed, skipped: summary.skipped, results: outcomes }
      : { changed: single.changed, failed: single.failed, skipped: single.skipped, msg: single.msg, data: single.data ?? {} };
  }
  const result: TaskResult = {
    playbook: play.name,
    name: task.name,
    op: task.op,
    status: summary.failed ? 'failed' : summary.skipped ? 'skipped' : summary.changed ? 'changed' : 'ok',
    changed: summary.changed,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    ...(summary.diff && options.diff ? { diff: summary.diff } : {}),
    ...(summary.msg ? { msg: summary.msg } : {}),
    ...(summary.failed && task.ignoreErrors ? { ignored: true } : {}),
    ...(handler ? { handler: true } : {}),
  };
  options.emit({ type: 'task-result', host, result });
  return result;
}
