// The real parts the engine runs with: SSH/local connections, the Handlebars
// renderer and the template context.
import { hostContext } from '../context/host-context.js';
import type { RunOptions } from './run-plays.js';
import { createRenderer } from '../template/render.js';
import { connect } from '../transport/connect.js';

export type EngineParts = Pick<RunOptions, 'connector' | 'renderer' | 'hostContext'>;

export function engineParts(): EngineParts {
  return { connector: connect, renderer: createRenderer(), hostContext };
}
