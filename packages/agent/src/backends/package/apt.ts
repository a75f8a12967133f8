import type { PackageBackend } from './package-backend.js';

/** Debian: dpkg-query to check, apt-get to change. */
export const aptPackages: PackageBackend = {
  name: 'apt',
  query: (pkg) => ['dpkg-query', '-W', '-f=${Status}', pkg],
  isInstalled: (rc, stdout) => rc === 0 && /\binstall ok installed\b/.test(stdout),
  install: (pkgs) => ['apt-get', 'install', '-y', '--no-install-recommends', ...pkgs],
  remove: (pkgs) => ['apt-get', 'remove', '-y', ...pkgs],
  env: { DEBIAN_FRONTEND: 'noninteractive' },
};
