import type { PackageBackend } from './package-backend.js';

/** Gentoo: portageq to check the installed set, emerge to change it. */
export const portagePackages: PackageBackend = {
  name: 'portage',
  query: (pkg) => ['portageq', 'match', '/', pkg],
  isInstalled: (rc, stdout) => rc === 0 && stdout.trim() !== '',
  install: (pkgs) => ['emerge', '--noreplace', '--quiet', ...pkgs],
  remove: (pkgs) => ['emerge', '--depclean', '--quiet', ...pkgs],
  env: {},
};
