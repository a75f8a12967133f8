/** The JSON-lines protocol spoken between the controller and the agent. */

export type { UnknownClient } from './lib/unknown-clients.js';

export type ErrorCode =
  | 'EBADREQ'
  | 'EUNKNOWNOP'
  | 'EARGS'
  | 'EVALIDATE'
  | 'ENOENT'
  | 'ECOMMAND'
  | 'ETIMEOUT'
  | 'ELOCKED'
  | 'ENOSPC'
  | 'EIO';

export interface Request {
  id: string | number;
  op: string;
  args: Record<string, unknown>;
  check: boolean;
  diff: boolean;
}

export interface OpResult {
  changed: boolean;
  diff?: string;
  data?: Record<string, unknown>;
  msg?: string;
}

export type Response =
  | ({ id: Request['id'] | null; ok: true } & OpResult)
  | { id: Request['id'] | null; ok: false; error: { code: ErrorCode; message: string }; data?: Record<string, unknown> };

export interface OutputEvent {
  id: Request['id'];
  event: 'output';
  stream: 'stdout' | 'stderr';
  data: string;
}

/** An error meant for the user: a stable code and a message naming the argument or path. */
export class AgentError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Partial results worth returning with the error, e.g. a failed command's output. */
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The protocol's code for a system error: the errno names a user can act on pass through, the rest is EIO. */
export function errorCodeOf(error: unknown): ErrorCode {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOSPC') return code;
  if (code === 'EDQUOT') return 'ENOSPC';
  return 'EIO';
}

/** What an operation sees besides its arguments. */
export interface OpContext {
  check: boolean;
  diff: boolean;
  /** Streams command output back while a request runs. */
  emit(stream: 'stdout' | 'stderr', data: string): void;
}

/** Parses one request line; throws AgentError(EBADREQ) naming what is wrong. */
export function parseRequest(line: string): Request {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new AgentError('EBADREQ', `request is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AgentError('EBADREQ', 'request must be a JSON object');
  }
  const raw = value as Record<string, unknown>;
  if (typeof raw.id !== 'string' && typeof raw.id !== 'number') {
    throw new AgentError('EBADREQ', 'request "id" must be a string or a number');
  }
  if (typeof raw.op !== 'string') throw new AgentError('EBADREQ', 'request "op" must be a string');
  const args = raw.args ?? {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new AgentError('EBADREQ', 'request "args" must be an object');
  }
  return {
    id: raw.id,
    op: raw.op,
    args: args as Record<string, unknown>,
    check: raw.check === true,
    diff: raw.diff === true,
  };
}

/** The id of a line that failed to parse, when it can still be read, so the answer can be matched. */
export function salvageId(line: string): Request['id'] | null {
  try {
    const value = JSON.parse(line) as { id?: unknown };
    if (typeof value?.id === 'string' || typeof value?.id === 'number') return value.id;
  } catch {
    // not JSON at all
  }
  return null;
}
