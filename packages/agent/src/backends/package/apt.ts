import type { PackageBackend } from './package-backend.js';

/** Debian: dpkg-query to check, apt-get to change. */
export const aptPackages: PackageBackend = {
  name: 'apt',
  query: (pkg) => ['dpkg-query', '-W', '-f=${Status}', pkg],
  isInstalled: (rc, stdout) => rc === 0 && /\binstall ok installed\b/.test(stdout),
  // Names with an architecture (foo:i386) are asked one by one; dpkg-query prints bare names.
  queryMany: (pkgs) => (pkgs.some((p) => p.includes(':')) ? undefined : ['dpkg-query', '-W', '-f=${Package}\t${Status}\n', '--', ...pkgs]),
  installedMany: (stdout, pkgs) => {
    const installed = new Set(stdout.split('\n').filter((l) => /\tinstall ok installed$/.test(l)).map((l) => l.split('\t')[0]));
    return pkgs.map((p) => installed.has(p));
  },
  install: (pkgs) => ['apt-get', 'install', '-y', '--no-install-recommends', ...pkgs],
  remove: (pkgs) => ['apt-get', 'remove', '-y', ...pkgs],
  env: { DEBIAN_FRONTEND: 'noninteractive' },
};
