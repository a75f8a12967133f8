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
};

export const HELPER_NAMES = Object.keys(helpers);

/** Registers every helper on a Handlebars environment, dropping its trailing options object. */
export function registerHelpers(handlebars: { registerHelper(name: string, fn: HelperDelegate): void }): void {
  for (const [name, fn] of Object.entries(helpers)) {
    handlebars.registerHelper(name, (...args: unknown[]) => (fn as (...a: unknown[]) => unknown)(...args.slice(0, -1)));
  }
}
