// Reads an inventory file: JSON syntax, schema, defaults, then the semantic checks.
// Every problem found is reported at once, each at its file, line and JSON pointer.
import { resolve } from 'node:path';
import { InputErrors } from '../errors.js';
import { readJsonDocument } from '../json/json-document.js';
import { validateDocument } from '../json/schema-validator.js';
import { schemaValidators } from '../json/schemas.js';
import type { Inventory } from '../types.js';
import { applyDefaults } from './apply-defaults.js';
import { checkAddresses, checkAppend, checkDuplicates, checkFirmware, checkMacs, checkNames, checkPrivateKeys, checkShares, checkSharedLog } from './check-inventory.js';
import type { RawInventory } from './raw-inventory.js';

export async function loadInventory(file: string): Promise<Inventory> {
  const path = resolve(file);
  const doc = await readJsonDocument(path, 'inventory file');
  const schemaErrors = validateDocument((await schemaValidators()).inventory, doc);
  if (schemaErrors.length > 0) throw new InputErrors(schemaErrors);

  const raw = doc.value as RawInventory;
  const inventory = applyDefaults(path, raw);
  const problems = [
    ...checkNames(doc, inventory),
    ...checkAddresses(doc, inventory),
    ...checkMacs(doc, inventory),
    ...checkDuplicates(doc, inventory),
    ...checkShares(doc, raw, inventory),
    ...checkSharedLog(doc, inventory),
    ...checkAppend(doc, inventory),
    ...checkFirmware(doc, raw, inventory),
    ...(await checkPrivateKeys(doc, raw, inventory)),
  ];
  if (problems.length > 0) throw new InputErrors(problems);
  return inventory;
}
