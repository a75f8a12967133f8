// Times as the day-2 commands take and show them: --since 1h, and ages like "5m ago".
import { InputError } from '../errors.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "15m", "1h", "2d" before `now`, or an ISO 8601 time; ms since the epoch. */
export function parseSince(text: string, now: number = Date.now()): number {
  const relative = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]];
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    const at = Date.parse(text.trim());
    if (!Number.isNaN(at)) return at;
  }
  throw new InputError(`--since ${JSON.stringify(text)} is not a duration such as 90s, 15m, 1h or 2d, nor a time such as 2026-11-30T07:00:00Z`);
}

/** "now", "42s ago", "5m ago", "3h ago", "2d ago"; "-" for none. */
export function age(iso: string | undefined | null, now: number = Date.now()): string {
  if (!iso) return '-';
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return '-';
  if (ms < 1000) return 'now';
  for (const [unit, size, next] of [['s', 1000, 60], ['m', 60_000, 60], ['h', 3_600_000, 24]] as const) {
    if (ms < size * next) return `${Math.floor(ms / size)}${unit} ago`;
  }
  return `${Math.floor(ms / 86_400_000)}d ago`;
}
