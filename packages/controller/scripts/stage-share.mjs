// `npm pack` (prepack): copies what share.json names into share/, so the packed CLI
// carries its agent bundle, playbooks and schemas; `postpack` removes share/ again.
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const share = `${root}share`;
rmSync(share, { recursive: true, force: true });
if (process.argv[2] === 'clean') process.exit(0);

const entries = Object.entries(JSON.parse(readFileSync(`${root}share.json`, 'utf8'))).filter(([name]) => name !== '//');
for (const [name, source] of entries) {
  const from = `${root}${source}`;
  if (!existsSync(from)) {
    console.error(`stage-share: ${from} is missing: run npm run build first`);
    process.exit(1);
  }
  cpSync(from, `${share}/${name}`, { recursive: true });
}
if (!existsSync(`${root}dist/cli/main.js`)) {
  console.error('stage-share: dist/ is missing: run npm run build first');
  process.exit(1);
}
