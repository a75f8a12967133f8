import type { RunEvent } from '../engine/events.js';

/** Something that shows a run as it happens, from the engine's event stream. */
export interface RunRenderer {
  handle(event: RunEvent): void;
}

export interface RendererOptions {
  diff: boolean;
  verbose: boolean;
  write: (text: string) => void; // where finished lines go (stdout)
}
