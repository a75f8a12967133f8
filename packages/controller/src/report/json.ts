// --json: one document on stdout at the end, in the shape the CLI promises.
import type { RunEvent, RunSummary } from '../engine/events.js';
import type { RunRenderer } from './renderer.js';

export function jsonDocument(summary: RunSummary): object {
  const hosts = Object.fromEntries(
    Object.entries(summary.hosts).map(([name, h]) => [
      name,
      {
        ok: h.ok,
        changed: h.changed,
        failed: h.failed,
        skipped: h.skipped,
        unreachable: h.unreachable,
        ...(h.locked ? { locked: true } : {}),
        ...(h.message ? { msg: h.message } : {}),
        ...(h.interrupted ? { interrupted: true } : {}),
        tasks: h.tasks.map((t) => ({
          playbook: t.playbook,
          name: t.name,
          status: t.status,
          changed: t.changed,
          durationMs: t.durationMs,
          ...(t.diff !== undefined ? { diff: t.diff } : {}),
          ...(t.msg !== undefined ? { msg: t.msg } : {}),
          ...(t.ignored ? { ignored: true } : {}),
          ...(t.handler ? { handler: true } : {}),
        })),
      },
    ]),
  );
  return { ok: summary.ok, durationMs: summary.durationMs, ...(summary.interrupted ? { interrupted: true } : {}), hosts };
}

export class JsonRenderer implements RunRenderer {
  constructor(private readonly write: (text: string) => void) {}

  handle(event: RunEvent): void {
    if (event.type === 'recap') this.write(JSON.stringify(jsonDocument(event.summary), null, 2) + '\n');
  }
}
