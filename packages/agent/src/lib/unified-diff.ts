import { createTwoFilesPatch } from 'diff';

/** A unified diff of a text change, labelled with the path (as `diff -u` would). */
export function unifiedDiff(path: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`${path} (before)`, `${path} (after)`, before, after, undefined, undefined, { context: 3 });
  return patch.replace(/^=+\n/, ''); // jsdiff's separator line is not part of `diff -u` output
}

/** A one-line diff for changes that are not content, e.g. a mode or a link target. */
export function summaryDiff(path: string, before: string, after: string): string {
  return `--- ${path} (before)\n+++ ${path} (after)\n-${before}\n+${after}\n`;
}
