// Typed errors: code that finds a problem throws one of these; only the CLI's top level
// turns them into messages and exit codes (exit-codes.ts).

/** A user mistake in an inventory, playbook or template: exit 1, nothing touched. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly where?: { file?: string; line?: number; column?: number; pointer?: string },
  ) {
    super(message);
    this.name = 'InputError';
  }

  /** "file:line:col (pointer): message" */
  toString(): string {
    const w = this.where;
    if (!w?.file) return this.message;
    const pos = w.line ? `:${w.line}${w.column ? `:${w.column}` : ''}` : '';
    const ptr = w.pointer !== undefined ? ` at ${w.pointer || '/'}` : '';
    return `${w.file}${pos}${ptr}: ${this.message}`;
  }
}

/** Several input errors found in one pass, reported together. */
export class InputErrors extends Error {
  constructor(readonly errors: InputError[]) {
    super(errors.map((e) => e.toString()).join('\n'));
    this.name = 'InputErrors';
  }
}

/**
 * A master that cannot be reached or refuses us (connection, host key, no node), or
 * whose agent went away mid-run. The message is the reason alone; `host` names the master.
 */
export class UnreachableError extends Error {
  constructor(readonly host: string, message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** An error answered by the agent for one request. */
export class AgentError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'AgentError';
  }
}
