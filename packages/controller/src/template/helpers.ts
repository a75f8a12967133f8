// Handlebars helpers for configuration files. Each is a plain function (tested on its
// own); registerHelpers adapts them to Handlebars, which passes an options object last.
import type { HelperDelegate } from 'handlebars';
import { broadcastOf, netmaskOf, networkOf, parseIpv4 } from '../inventory/ipv4.js';

/** "00:02:A5:04:3B:66" -> "01-00-02-a5-04-3b-66", the name PXELINUX looks for first. */
export function pxelinuxName(mac: string): string {
  return '01-' + String(mac).toLowerCase().replace(/:/g, '-');
}

/** "192.168.1.21" -> "C0A80115", the other name PXELINUX tries. */
export function ipHex(ip: string): string {
  const value = parseIpv4(String(ip));
  if (value === undefined) throw new Error(`ipHex: not an IPv4 address: ${JSON.stringify(ip)}`);
  return value.toString(16).toUpperCase().padStart(8, '0');
}

export function lower(text: unknown): string {
  return String(text ?? '').toLowerCase();
}

export function upper(text: unknown): string {
  return String(text ?? '').toUpperCase();
}

export function join(list: unknown, separator: unknown = ' '): string {
  if (!Array.isArray(list)) return list === undefined || list === null ? '' : String(list);
  return list.join(typeof separator === 'string' ? separator : ' ');
}

export function netmask(prefix: unknown): string {
  return netmaskOf(Number(prefix));
}

export function network(ip: unknown, prefix: unknown): string {
  return networkOf(String(ip), Number(prefix));
}

export function broadcast(ip: unknown, prefix: unknown): string {
  return broadcastOf(String(ip), Number(prefix));
}

export function eq(a: unknown, b: unknown): boolean {
  return a === b;
}

export function ne(a: unknown, b: unknown): boolean {
  return a !== b;
}

export function and(...values: unknown[]): boolean {
  return values.every((v) => truthy(v));
}

export function or(...values: unknown[]): boolean {
  return values.some((v) => truthy(v));
}

export function not(value: unknown): boolean {
  return !truthy(value);
}

/** JSON text; `spaces` indents it. */
export function json(value: unknown, spaces?: unknown): string {
  return JSON.stringify(value, null, typeof spaces === 'number' ? spaces : undefined) ?? 'null';
}

/** The value, or the fallback when the value is undefined, null or "". */
export function fallback(value: unknown, otherwise: unknown): unknown {
  return value === undefined || value === null || value === '' ? otherwise : value;
}

/** Indents every non-empty line by `spaces` spaces. */
export function indent(text: unknown, spaces: unknown = 2): string {
  const pad = ' '.repeat(Number(spaces) || 0);
  return String(text ?? '')
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}

/** Items of a list, or properties of an object. */
export function count(value: unknown): number {
  if (Array.isArray(value) || typeof value === 'string') return value.length;
  if (value && typeof value === 'object') return Object.keys(value).length;
  return 0;
}

/** The items of a list whose `key` equals `value`: (where master.slaves "boot" "pxe"). */
export function where(list: unknown, key: unknown, value: unknown): unknown[] {
  if (!Array.isArray(list)) return [];
  return list.filter((item) => item !== null && typeof item === 'object' && (item as Record<string, unknown>)[String(key)] === value);
}

/** The `key` of each item: (pluck master.slaves "ip"). */
export function pluck(list: unknown, key: unknown): unknown[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => (item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[String(key)] : undefined));
}

/** [key, value] pairs of an object as {key, value} items, for iterating maps such as nfs.shared. */
export function entries(object: unknown): Array<{ key: string; value: unknown }> {
  if (!object || typeof object !== 'object') return [];
  return Object.entries(object).map(([key, value]) => ({ key, value }));
}

/** [item, element] for each element of each item's `key` list, as Ansible's subelements: loop over slaves' services. */
export function subelements(list: unknown, key: unknown): Array<[unknown, unknown]> {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const elements = item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[String(key)] : undefined;
    return Array.isArray(elements) ? elements.map((element): [unknown, unknown] => [item, element]) : [];
  });
}

export function includes(list: unknown, value: unknown): boolean {
  return (Array.isArray(list) || typeof list === 'string') && list.includes(value as never);
}

/** Its arguments as one text: (concat master.lan.address ":/diskless/" ip). Undefined or null is refused. */
export function concat(...parts: unknown[]): string {
  return parts.map((part, i) => text(part, `concat (argument ${i + 1})`)).join('');
}

/** The largest of its numbers: (max (length master.slaves) 8). */
export function max(...values: unknown[]): number {
  const numbers = values.map(Number);
  if (numbers.length === 0 || numbers.some((n) => !Number.isFinite(n))) throw new Error(`max: not numbers: ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  return Math.max(...numbers);
}

// Escaping per file format. Each helper takes a value as the inventory gives it and
// returns it written in that format's own syntax, so that it stays one value there:
// one string, one field, one argument. Values the format has no way to carry are
// refused with an error (the inventory's checks refuse them first, with a position).

/** The text of a value; undefined and null are errors, not the word "undefined". */
function text(value: unknown, helper: string): string {
  if (value === undefined || value === null) throw new Error(`${helper}: no value (${String(value)})`);
  if (typeof value === 'object') throw new Error(`${helper}: not a text value: ${JSON.stringify(value)}`);
  return String(value);
}

/** "\ooo" for each byte of a character's UTF-8 form. */
function octalBytes(char: string): string {
  return [...Buffer.from(char, 'utf8')].map((byte) => '\\' + byte.toString(8).padStart(3, '0')).join('');
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A dhcpd.conf string, quotes included: `"` and `\\` escaped with a backslash, control
 * characters and anything beyond ASCII as octal escapes (dhcpd reads `\ooo`).
 */
export function dhcpdString(value: unknown): string {
  const body = text(value, 'dhcpdString').replace(/[^\x20-\x7e]|["\\]/gu, (c) => (c === '"' || c === '\\' ? '\\' + c : octalBytes(c)));
  return `"${body}"`;
}

/** One whitespace-separated field of fstab: space, tab, newline, backslash and anything unusual as `\ooo`, as getmntent reads them. */
export function fstabField(value: unknown): string {
  const field = text(value, 'fstabField');
  if (field === '') throw new Error('fstabField: an empty field would shift the ones after it');
  return field.replace(/[^A-Za-z0-9/._+@,:=~%-]/gu, octalBytes);
}

/** The path of an /etc/exports line: anything but plain path characters as `\ooo`, as exports(5) says. */
export function exportsPath(value: unknown): string {
  const path = text(value, 'exportsPath');
  if (!path.startsWith('/')) throw new Error(`exportsPath: not an absolute path: ${JSON.stringify(path)}`);
  return path.replace(/[^A-Za-z0-9/._+@,:=~%-]/gu, octalBytes);
}

/**
 * A value in ganesha.conf: bare where ganesha's lexer reads it as one path or token,
 * else in double quotes with `"` and `\\` escaped. A control character cannot be written.
 */
export function ganeshaString(value: unknown): string {
  const token = text(value, 'ganeshaString');
  if (CONTROL.test(token)) throw new Error(`ganeshaString: ganesha.conf cannot carry a control character: ${JSON.stringify(token)}`);
  if (/^(\/[A-Za-z0-9._-]+)+$|^[A-Za-z_][A-Za-z0-9._-]*$/.test(token)) return token;
  return `"${token.replace(/["\\]/g, '\\$&')}"`;
}

/** One shell word: bare when it is plain, else in single quotes (a `'` as `'\\''`). */
export function shellArg(value: unknown): string {
  const word = text(value, 'shellArg');
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A shell double-quoted string, quotes included, for files that shells source
 * (/etc/default, /etc/conf.d): `"`, `\\`, `$` and `` ` `` escaped. A newline would end
 * the assignment in readers that are not shells: refused.
 */
export function shellQuoted(value: unknown): string {
  const body = text(value, 'shellQuoted');
  if (CONTROL.test(body)) throw new Error(`shellQuoted: a control character cannot be written in a shell variable file: ${JSON.stringify(body)}`);
  return `"${body.replace(/["\\$`]/g, '\\$&')}"`;
}

/** A kernel command line as one line: whitespace controls (newline, tab, ...) become spaces, as the kernel reads them; other controls are refused. */
function oneLine(commandLine: unknown, helper: string): string {
  const line = text(commandLine, helper).replace(/[\t\n\v\f\r]/g, ' ');
  if (CONTROL.test(line)) throw new Error(`${helper}: a kernel command line cannot carry control characters: ${JSON.stringify(line)}`);
  return line;
}

/**
 * The words of a kernel command line as the kernel splits them: at spaces outside
 * double quotes ("name=a b" and name="a b" are one word each).
 */
export function kernelWords(commandLine: string): string[] {
  const words: string[] = [];
  let word = '';
  let quoted = false;
  for (const char of commandLine) {
    if (char === '"') quoted = !quoted;
    if (' \t\n\v\f\r'.includes(char) && !quoted) {
      if (word) words.push(word);
      word = '';
    } else {
      word += char;
    }
  }
  if (word) words.push(word);
  return words;
}

/** The kernel's meaning of a word: its grouping quotes, "name=v" or name="v", taken off. */
function unquoteKernelWord(word: string): string {
  const whole = /^"([^"]*)"$/.exec(word);
  if (whole) return whole[1]!;
  const value = /^([^"=]+)="([^"]*)"$/.exec(word);
  return value ? `${value[1]}=${value[2]}` : word;
}

/** A PXELINUX APPEND (or KERNEL) line's text: PXELINUX passes the rest of the line as it is, so it must stay one line. */
export function pxelinuxArgs(commandLine: unknown): string {
  return oneLine(commandLine, 'pxelinuxArgs');
}

/**
 * The arguments of GRUB's linux command: each kernel word one GRUB word, in single
 * quotes unless it is plain, so that `$`, `;`, `{`, `#` and the like stay text. GRUB
 * joins the words with spaces and puts double quotes back around a word holding one.
 */
export function grubArgs(commandLine: unknown): string {
  return kernelWords(oneLine(commandLine, 'grubArgs'))
    .map((word) => {
      if (/^[A-Za-z0-9_.,:=/@+%-]+$/.test(word)) return word;
      return `'${unquoteKernelWord(word).replace(/'/g, `'\\''`)}'`;
    })
    .join(' ');
}

/** Words iPXE's script reader takes for something other than an argument. */
export function ipxeProblem(word: string): string | undefined {
  if (word.startsWith('#')) return 'iPXE takes a word starting with # for a comment';
  if (word === '||' || word === '&&' || word === ';') return `iPXE takes ${word} for a command separator`;
  if (word.includes('${')) return 'iPXE expands ${...} as a setting';
  return undefined;
}

/** The arguments of an iPXE kernel line: iPXE splits at whitespace and has no quoting, so words it would read otherwise are refused. */
export function ipxeArgs(commandLine: unknown): string {
  const words = oneLine(commandLine, 'ipxeArgs').split(' ').filter((word) => word !== '');
  for (const word of words) {
    const problem = ipxeProblem(word);
    if (problem) throw new Error(`ipxeArgs: ${problem}: ${JSON.stringify(word)}`);
  }
  return words.join(' ');
}

/** Truth as templates see it: empty lists and objects are false, like Handlebars' #if. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

const helpers: Record<string, (...args: never[]) => unknown> = {
  pxelinuxName,
  ipHex,
  lower,
  upper,
  join,
  netmask,
  network,
  broadcast,
  eq,
  ne,
  and,
  or,
  not,
  json,
  default: fallback,
  indent,
  count,
  length: count,
  where,
  pluck,
  entries,
  subelements,
  includes,
  concat,
  max,
  dhcpdString,
  fstabField,
  exportsPath,
  ganeshaString,
  shellArg,
  shellQuoted,
  pxelinuxArgs,
  grubArgs,
  ipxeArgs,
};

export const HELPER_NAMES = Object.keys(helpers);

/**
 * Helpers that also work as blocks on the text their block renders, for text made of
 * several parts: {{#grubArgs}}{{> kernel-command-line}}{{/grubArgs}}.
 */
const TEXT_BLOCK_HELPERS = new Set(['dhcpdString', 'fstabField', 'exportsPath', 'ganeshaString', 'shellArg', 'shellQuoted', 'pxelinuxArgs', 'grubArgs', 'ipxeArgs']);

/** Registers every helper on a Handlebars environment, dropping its trailing options object. */
export function registerHelpers(handlebars: { registerHelper(name: string, fn: HelperDelegate): void }): void {
  for (const [name, fn] of Object.entries(helpers)) {
    const call = fn as (...a: unknown[]) => unknown;
    const block = TEXT_BLOCK_HELPERS.has(name);
    handlebars.registerHelper(name, function (this: unknown, ...args: unknown[]) {
      const options = args[args.length - 1] as { fn?: (context: unknown) => string } | undefined;
      if (block && args.length === 1 && typeof options?.fn === 'function') return call(options.fn(this));
      return call(...args.slice(0, -1));
    });
  }
}
