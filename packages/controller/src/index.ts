// The controller as a library: what the CLI uses, for benchmarks and tests that drive
// runs without spawning the CLI.
export { runPlays, lockHolder, type RunOptions } from './engine/run-plays.js';
export { DEFAULT_FORKS } from './engine/each-master.js';
export type { HostContextBuilder } from './engine/master-state.js';
export type { RunEvent, RunSummary, TaskResult, HostReport } from './engine/events.js';
export { evaluate, checkExpression } from './engine/expression.js';
export { renderPlaysOffline } from './engine/render-offline.js';
export { connect, type Connector } from './transport/connect.js';
export { connectLocal } from './transport/local.js';
export { connectSsh } from './transport/ssh.js';
export { AgentClient } from './transport/agent-client.js';
export { loadAgentBundle, AGENT_BUNDLE } from './transport/agent-bundle.js';
export { jsonDocument } from './report/json.js';
export { engineParts } from './engine/engine-parts.js';
export { main } from './cli/main.js';
export * from './errors.js';
export { ExitCode, exitCodeOf, exitCodeOfError } from './exit-codes.js';
export type * from './types.js';
