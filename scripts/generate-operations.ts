// `npm run build` (first step): writes the files made from the operations' declarations.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatedFiles, REPO } from './operations.js';

for (const [file, text] of Object.entries(await generatedFiles())) writeFileSync(path.join(REPO, file), text);
