import { nextDiskGeneration } from './lib/disk-generation.js';
import { checkArgs } from './lib/check-args.js';
import { OPERATIONS } from './ops/index.js';
import { AgentError, errorCodeOf, parseRequest, salvageId, type OutputEvent, type Request, type Response } from './protocol.js';

/**
 * Turns request lines into answers. Requests that may change the disk run one after another in
 * arrival order; read-only ones run as soon as the earlier writes are done, side by side, so
 * answers can come out of order.
 */
export class Dispatcher {
  private diskQueue: Promise<void> = Promise.resolve();
  private pending = new Set<Promise<void>>();

  constructor(private readonly send: (message: Response | OutputEvent) => void) {}

  handleLine(line: string): void {
    if (line.trim() === '') return;
    let request: Request;
    try {
      request = parseRequest(line);
    } catch (err) {
      this.send(toErrorResponse(salvageId(line), err));
      return;
    }
    const operation = OPERATIONS[request.op];
    if (!operation) {
      const known = Object.keys(OPERATIONS).join(', ');
      this.send(toErrorResponse(request.id, new AgentError('EUNKNOWNOP', `unknown operation "${request.op}"; known: ${known}`)));
      return;
    }
    const run = async (): Promise<void> => {
      if (operation.mutates) nextDiskGeneration(request.op);
      try {
        const result = await operation.run(checkArgs(request.op, request.args), {
          check: request.check,
          diff: request.diff,
          emit: (stream, data) => this.send({ id: request.id, event: 'output', stream, data }),
        });
        const answer: Response = { id: request.id, ok: true, changed: result.changed };
        if (result.diff !== undefined && request.diff) answer.diff = result.diff;
        if (result.data !== undefined) answer.data = result.data;
        if (result.msg !== undefined) answer.msg = result.msg;
        this.send(answer);
      } catch (err) {
        this.send(toErrorResponse(request.id, err));
      }
    };
    // a read waits for the writes sent before it (read-your-writes) but not for later ones
    const task = operation.mutates ? (this.diskQueue = this.diskQueue.then(run)) : this.diskQueue.then(run);
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  /** Resolves once every request received so far has been answered. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }
}

function toErrorResponse(id: Request['id'] | null, err: unknown): Response {
  if (err instanceof AgentError) {
    const answer: Response = { id, ok: false, error: { code: err.code, message: err.message } };
    if (err.data) answer.data = err.data;
    return answer;
  }
  const e = err as NodeJS.ErrnoException;
  return { id, ok: false, error: { code: errorCodeOf(e), message: e?.message ?? String(err) } };
}
