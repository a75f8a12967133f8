// `diskless init`: the files of a directory that holds one site's inventory and
// playbooks, ready for git, working on any machine that clones it.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { sharedPath } from '../package-root.js';

/** The starter inventory when no master was asked: a complete example to edit. */
export const EXAMPLE_MASTER = {
  name: 'master1',
  entry: {
    ssh: { host: 'master1.example.org' },
    lan: { interface: 'eth1', address: '192.168.1.1', prefix: 24 },
    nfs: { server: 'ganesha', shared: { '/usr': 'ro', '/home': 'rw', '/opt': 'ro' } },
    slaves: { slave21: { mac: '02:00:00:00:00:21', ip: '192.168.1.21', services: ['ssh'] } },
  },
};

export function inventoryText(master: { name: string; entry: Record<string, unknown> }): string {
  return JSON.stringify({ $schema: './schemas/inventory.schema.json', masters: { [master.name]: master.entry } }, null, 2) + '\n';
}

const GITIGNORE = `# Left by diskless runs: facts cached with --state-dir .state, reports, temp files.
.state/
*.report.json
*.tmp
`;

function readme(version: string): string {
  return `# diskless site

This directory holds one site's diskless inventory and playbooks; keep it in git.
The playbooks and schemas were copied from diskless ${version} (\`playbooks/VERSION\`);
they are yours to change now.

- \`inventory.json\`: the masters and their slaves. Editors that read \`$schema\`
  complete and check it against \`schemas/inventory.schema.json\`.
- \`playbooks/site.json\`: everything, in order; the other playbooks are its parts.

First steps, from this directory:

    diskless validate playbooks/site.json -i inventory.json
    diskless apply playbooks/site.json -i inventory.json --check --diff
    diskless apply playbooks/site.json -i inventory.json

\`diskless init . --master root@HOST\` adds another master, proposed from its facts.
`;
}

/** The top-level entries init makes in the directory. */
const ENTRIES = ['inventory.json', 'README.md', '.gitignore', 'playbooks', 'schemas'];

/**
 * Makes the directory's files in a staging directory beside them and moves each into
 * place, so a failure leaves nothing half-made; refuses before anything if one exists.
 */
export async function scaffold(dir: string, inventory: string, version: string): Promise<void> {
  const existing = ENTRIES.filter((entry) => existsSync(join(dir, entry)));
  if (existing.length > 0) {
    throw new InputError(`${dir} already has ${existing.join(', ')}: init overwrites nothing (give a new or empty directory, or --master to add a master to its inventory)`);
  }
  await mkdir(dir, { recursive: true });
  const staging = await mkdtemp(join(dir, '.diskless-init-'));
  try {
    await cp(sharedPath('playbooks'), join(staging, 'playbooks'), { recursive: true });
    await cp(sharedPath('schemas'), join(staging, 'schemas'), { recursive: true });
    await writeFile(join(staging, 'playbooks/VERSION'), `diskless ${version}\n`);
    await writeFile(join(staging, '.gitignore'), GITIGNORE);
    await writeFile(join(staging, 'README.md'), readme(version));
    await writeFile(join(staging, 'inventory.json'), inventory);
    for (const entry of ENTRIES) await rename(join(staging, entry), join(dir, entry));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
