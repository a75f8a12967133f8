// The validators of the inventory and playbook schemas. `npm run build` compiles them
// to code ahead of time (dist/json/precompiled-schemas.js): compiling them at start-up
// took about a third of a no-op run's CPU time. From the sources, or when the schemas
// changed since the build, they are compiled here instead.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Ajv as AjvClass, ValidateFunction } from 'ajv';
import inventorySchema from '../../../../schemas/inventory.schema.json' with { type: 'json' };
import playbookSchema from '../../../../schemas/playbook.schema.json' with { type: 'json' };
import { CONTROLLER_ROOT } from '../package-root.js';

/** Each validator: the schema it starts in and the part of it, by fragment. */
export const SCHEMA_PARTS = {
  inventory: `${inventorySchema.$id}`,
  play: `${playbookSchema.$id}#/definitions/play`,
  importPlaybook: `${playbookSchema.$id}#/definitions/import`,
} as const;

export type SchemaName = keyof typeof SCHEMA_PARTS;
export type Validators = Record<SchemaName, ValidateFunction>;

/** Identifies the schemas a precompiled module was made from. */
export const SCHEMAS_DIGEST = createHash('sha256').update(JSON.stringify([inventorySchema, playbookSchema])).digest('hex');

/**
 * Ajv holding both schemas; `code` options make it emit standalone code. Loaded only
 * when needed: ajv itself takes time to load. `"expected"` annotates a node with a
 * human description of it, for the messages.
 */
export async function schemasAjv(code?: { source: true; esm: true }): Promise<AjvClass> {
  const [{ default: Ajv }, { default: addFormats }] = await Promise.all([import('ajv'), import('ajv-formats')]);
  const ajv = new Ajv.default({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true, ...(code ? { code } : {}) });
  addFormats.default(ajv);
  ajv.addKeyword({ keyword: 'expected', schemaType: 'string' });
  ajv.addSchema(inventorySchema);
  ajv.addSchema(playbookSchema);
  return ajv;
}

/** Written by the build; from the sources too it serves while the schemas are unchanged. */
export const PRECOMPILED_SCHEMAS = pathToFileURL(join(CONTROLLER_ROOT, 'dist/json/precompiled-schemas.js')).href;

let loaded: Promise<Validators> | undefined;

export function schemaValidators(): Promise<Validators> {
  loaded ??= precompiled().then((found) => found ?? compileNow());
  return loaded;
}

async function precompiled(): Promise<Validators | undefined> {
  try {
    const mod = (await import(PRECOMPILED_SCHEMAS)) as Validators & { digest: string };
    return mod.digest === SCHEMAS_DIGEST ? mod : undefined;
  } catch (error) {
    // Not built yet (running from the sources); anything else is a broken build.
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** Compiles the validators now, from the schemas as they are. */
export async function compileNow(): Promise<Validators> {
  const ajv = await schemasAjv();
  const compile = (name: SchemaName) => {
    const validate = ajv.getSchema(SCHEMA_PARTS[name]);
    if (!validate) throw new Error(`no schema at ${SCHEMA_PARTS[name]}`);
    return validate;
  };
  return { inventory: compile('inventory'), play: compile('play'), importPlaybook: compile('importPlaybook') };
}
