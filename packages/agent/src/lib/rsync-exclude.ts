// rsync's --exclude patterns (rsync(1), "PATTERN MATCHING RULES") as a matcher of
// transfer-relative paths, so the agent can tell without rsync what a copy covers.
// Only the plain pattern language is covered; for anything else the caller gets
// undefined and leaves the decision to rsync.

/** True when the path (relative to the transfer root, no leading slash) is excluded. */
export type ExcludeMatcher = (relativePath: string, isDirectory: boolean) => boolean;

interface Rule {
  regex: RegExp;
  directoryOnly: boolean;
  /** Matched against the whole relative path, not only its last component. */
  wholePath: boolean;
}

/** Translates the wildcards of one pattern to a regular expression body, or undefined. */
function wildcardsToRegex(pattern: string): string | undefined {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) return undefined;
      let body = pattern.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      if (body.includes('[') || body.includes('\\')) return undefined;
      out += `[${body}]`;
      i = close;
    } else out += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return out;
}

function compile(pattern: string): Rule | undefined {
  // Rule prefixes, "***" and escapes have meanings this matcher does not model.
  if (pattern === '' || /^[+\-!] |^!$|\*\*\*|\\/.test(pattern)) return undefined;
  const directoryOnly = pattern.endsWith('/');
  let body = pattern.replace(/\/+$/, '');
  const anchored = body.startsWith('/');
  body = body.replace(/^\/+/, '');
  if (body === '') return undefined;
  const wholePath = anchored || body.includes('/') || body.includes('**');
  const regex = wildcardsToRegex(body);
  if (regex === undefined) return undefined;
  // Unanchored patterns with a slash match the end of the path at a component boundary.
  const prefix = anchored ? '^' : wholePath ? '(?:^|/)' : '^';
  return { regex: new RegExp(`${prefix}${regex}$`), directoryOnly, wholePath };
}

/** A matcher for rsync `--exclude` patterns, or undefined when one is beyond the plain language. */
export function excludeMatcher(patterns: string[]): ExcludeMatcher | undefined {
  const rules: Rule[] = [];
  for (const pattern of patterns) {
    const rule = compile(pattern);
    if (!rule) return undefined;
    rules.push(rule);
  }
  return (relativePath, isDirectory) => {
    const last = relativePath.slice(relativePath.lastIndexOf('/') + 1);
    return rules.some((r) => (!r.directoryOnly || isDirectory) && r.regex.test(r.wholePath ? relativePath : last));
  };
}
