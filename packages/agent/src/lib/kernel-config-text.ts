/** A wanted value: "y", "m", "n" (written "# CONFIG_X is not set"), any other string, or null (line removed). */
export type KernelOptionValue = string | null;

const SET = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;

/** Reads CONFIG_X values from .config text: "n" for "is not set" lines. */
export function parseKernelConfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const set = SET.exec(line);
    if (set) values.set(set[1], set[2]);
    const unset = NOT_SET.exec(line);
    if (unset) values.set(unset[1], 'n');
  }
  return values;
}

/** Applies options to .config text; returns the new text and exactly the options that changed. */
export function applyKernelOptions(text: string, options: Record<string, KernelOptionValue>): { text: string; changedOptions: string[] } {
  const remaining = new Map(Object.entries(options));
  const changedOptions: string[] = [];
  const render = (name: string, value: string): string => (value === 'n' ? `# ${name} is not set` : `${name}=${value}`);
  const lines: string[] = [];
  const source = text.endsWith('\n') ? text.slice(0, -1) : text;
  for (const line of source === '' ? [] : source.split('\n')) {
    const match = SET.exec(line) ?? NOT_SET.exec(line);
    const name = match?.[1];
    if (!name || !remaining.has(name)) {
      lines.push(line);
      continue;
    }
    const wanted = remaining.get(name)!;
    remaining.delete(name);
    if (wanted === null) {
      changedOptions.push(name);
      continue;
    }
    const next = render(name, wanted);
    if (next !== line) changedOptions.push(name);
    lines.push(next);
  }
  for (const [name, wanted] of remaining) {
    if (wanted === null) continue;
    lines.push(render(name, wanted));
    changedOptions.push(name);
  }
  return { text: lines.length ? lines.join('\n') + '\n' : '', changedOptions };
}
