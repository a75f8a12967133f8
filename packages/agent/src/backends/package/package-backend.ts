/** A package manager as argv builders, pure and testable from fixture data. */
export interface PackageBackend {
  readonly name: 'apt' | 'portage';
  /** The query whose output `isInstalled` reads. */
  query(pkg: string): string[];
  /** Reads the query's exit code and stdout. */
  isInstalled(rc: number, stdout: string): boolean;
  /** One query for several packages, where the manager has it: one process instead of one each. */
  queryMany?(pkgs: string[]): string[] | undefined;
  /** Reads `queryMany`'s stdout: installed or not, in the order of `pkgs`. */
  installedMany?(stdout: string, pkgs: string[]): boolean[];
  install(pkgs: string[]): string[];
  remove(pkgs: string[]): string[];
  /** Extra environment for install/remove. */
  env: Record<string, string>;
}
