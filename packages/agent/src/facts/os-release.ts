import { readFile } from 'node:fs/promises';

export interface OsFacts {
  family: string;
  id: string;
  version: string;
  name: string;
}

/** Parses /etc/os-release (KEY=value, optionally quoted). */
export function parseOsRelease(text: string): OsFacts {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) fields[match[1]] = match[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  const id = fields.ID ?? 'linux';
  const like = (fields.ID_LIKE ?? '').split(/\s+/).filter(Boolean);
  // the family is the distribution a derivative follows (ubuntu -> debian)
  const family = ['debian', 'gentoo'].find((f) => f === id || like.includes(f)) ?? like[0] ?? id;
  return { family, id, version: fields.VERSION_ID ?? '', name: fields.PRETTY_NAME ?? fields.NAME ?? id };
}

export async function gatherOs(): Promise<OsFacts> {
  const text = await readFile('/etc/os-release', 'utf8').catch(() => readFile('/usr/lib/os-release', 'utf8').catch(() => ''));
  return parseOsRelease(text);
}
