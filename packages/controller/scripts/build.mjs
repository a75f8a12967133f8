// `npm run build`: bundles the CLI into dist/ and compiles the schema validators to
// code. One bundle (split into shared chunks) starts much faster than hundreds of
// module files: a no-op run is mostly start-up.
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;
rmSync(dist, { recursive: true, force: true });

await build({
  // oclif loads commands/index.js by its path; schemas.js is for the step below.
  entryPoints: ['src/cli/main.ts', 'src/commands/index.ts', 'src/json/schemas.ts'].map((f) => `${root}${f}`),
  outbase: `${root}src`,
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Prefer packages' ES module builds (jsonc-parser's UMD build requires by computed paths).
  mainFields: ['module', 'main'],
  supported: { 'import-attributes': true },
  // ssh2 loads its native crypto binding; ajv is loaded only when the validators must
  // be compiled, and the step below needs the same ajv as the code it compiles; oclif
  // asks for typescript only to read a tsconfig, which the CLI never has it do.
  external: ['ssh2', 'cpu-features', 'ajv', 'ajv-formats', 'typescript'],
  // Bundled CommonJS code calls require() for Node's built-ins, and some of it reads
  // __filename (write-file-atomic names its temp files with it).
  banner: {
    js:
      "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); " +
      "import { fileURLToPath as __fileURLToPath } from 'node:url'; const __filename = __fileURLToPath(import.meta.url);",
  },
  logLevel: 'warning',
});

const { SCHEMA_PARTS, SCHEMAS_DIGEST, schemasAjv } = await import(`${dist}/json/schemas.js`);
const standaloneCode = createRequire(import.meta.url)('ajv/dist/standalone').default;
const code = standaloneCode(await schemasAjv({ source: true, esm: true }), SCHEMA_PARTS);
// The generated code loads ajv's runtime helpers with require(); give the module one.
const header = "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n";
writeFileSync(`${dist}/json/precompiled-schemas.js`, `${header}${code}\nexport const digest = ${JSON.stringify(SCHEMAS_DIGEST)};\n`);
