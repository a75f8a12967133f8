import path from 'node:path';
import { AgentError } from '../protocol.js';

/** Typed readers for operation arguments; each error names the argument (and the path when known). */
export class Args {
  constructor(
    private readonly op: string,
    private readonly raw: Record<string, unknown>,
  ) {}

  private fail(name: string, expected: string): never {
    const got = this.raw[name];
    const where = typeof this.raw.path === 'string' && name !== 'path' ? ` (path ${this.raw.path})` : '';
    const problem = got === undefined ? `is missing (expected ${expected})` : `must be ${expected}, got ${JSON.stringify(got)}`;
    throw new AgentError('EARGS', `${this.op}: argument "${name}" ${problem}${where}`);
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  string(name: string): string {
    const v = this.raw[name];
    if (typeof v !== 'string' || v === '') this.fail(name, 'a non-empty string');
    return v;
  }

  optString(name: string): string | undefined {
    return this.has(name) ? this.string(name) : undefined;
  }

  /** A string that may be empty (file content). */
  text(name: string): string | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(name, 'a string');
    return v;
  }

  absPath(name: string): string {
    const v = this.string(name);
    if (!path.isAbsolute(v)) {
      throw new AgentError('EARGS', `${this.op}: argument "${name}" must be an absolute path, got "${v}"`);
    }
    return v;
  }

  optAbsPath(name: string): string | undefined {
    return this.has(name) ? this.absPath(name) : undefined;
  }

  optBool(name: string): boolean | undefined {
    if (!this.has(name)) return undefined;
    const v = this.raw[name];
    if (typeof v !== 'boolean') this.fail(name, 'true or false');
    return v;
  }

  optNumber(name: string, min = 0): number | undefined {
    if (!this.has(name)) return undefined;
    const v = this.raw[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) this.fail(name, `a number >= ${min}`);
    return v;
  }

  integer(name: string): number {
    const v = this.raw[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(name, 'a non-negative integer');
    return v;
  }

  /** An octal mode such as "0644" or "755". */
  optMode(name: string): number | undefined {
    if (!this.has(name)) return undefined;
    const v = this.raw[name];
    if (typeof v !== 'string' || !/^0?[0-7]{3,4}$/.test(v)) this.fail(name, 'an octal string such as "0644"');
    return parseInt(v, 8);
  }

  oneOf<T extends string>(name: string, choices: readonly T[]): T {
    const v = this.raw[name];
    if (typeof v !== 'string' || !choices.includes(v as T)) this.fail(name, `one of ${choices.join(', ')}`);
    return v as T;
  }

  optOneOf<T extends string>(name: string, choices: readonly T[]): T | undefined {
    return this.has(name) ? this.oneOf(name, choices) : undefined;
  }

  optStringList(name: string): string[] | undefined {
    if (!this.has(name)) return undefined;
    const v = this.raw[name];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) {
      this.fail(name, 'a list of non-empty strings');
    }
    return v as string[];
  }

  /** A string or a non-empty list of strings, none starting with "-" (they end up in an argv). */
  names(name: string): string[] {
    const v = this.raw[name];
    const list = typeof v === 'string' ? [v] : v;
    if (Array.isArray(list) && list.length > 0 && list.every((x) => typeof x === 'string' && x !== '' && !x.startsWith('-'))) return list as string[];
    this.fail(name, 'a non-empty string or list of strings, none starting with "-"');
  }

  /** One name that ends up in an argv: non-empty, no "/" and not starting with "-". */
  name(name: string): string {
    const v = this.raw[name];
    if (typeof v !== 'string' || !/^[^-/][^/]*$/.test(v)) this.fail(name, 'a name without "/" that does not start with "-"');
    return v;
  }

  optStringMap(name: string): Record<string, string> | undefined {
    if (!this.has(name)) return undefined;
    const v = this.raw[name];
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
      this.fail(name, 'an object of strings');
    }
    return v as Record<string, string>;
  }

  value(name: string): unknown {
    return this.raw[name];
  }
}
