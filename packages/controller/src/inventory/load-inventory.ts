// Reads an inventory file: JSON syntax, schema, defaults, then the semantic checks.
// Every problem found is reported at once, each at its file, line and JSON pointer.
import { resolve } from 'node:path';
import { type InputError, InputErrors } from '../errors.js';
import { errorAt, readJsonDocument } from '../json/json-document.js';
import { validateDocument } from '../json/schema-validator.js';
import { schemaValidators } from '../json/schemas.js';
import { joinPointer } from '../json/pointer.js';
import type { Inventory } from '../types.js';
import { applyDefaults } from './apply-defaults.js';
import { checkAddresses, checkAppend, checkDuplicates, checkFirmware, checkMacs, checkNames, checkPrivateKeys, checkShares, checkSharedLog } from './check-inventory.js';
import type { RawInventory } from './raw-inventory.js';
import { DEFAULT_SSH_CONFIG, NO_SSH_CONFIG, readSshConfig, type SshConfig } from './ssh-config.js';
import { sshConfigFileOf } from './ssh-settings.js';

export interface LoadInventoryOptions {
  /** The ssh config read when the inventory names none (ssh.configFile); ~/.ssh/config by default, "none" for none. */
  sshConfigFile?: string;
}

export async function loadInventory(file: string, options: LoadInventoryOptions = {}): Promise<Inventory> {
  const path = resolve(file);
  const doc = await readJsonDocument(path, 'inventory file');
  const schemaErrors = validateDocument((await schemaValidators()).inventory, doc);
  if (schemaErrors.length > 0) throw new InputErrors(schemaErrors);

  const raw = doc.value as RawInventory;
  const fallback = options.sshConfigFile ?? DEFAULT_SSH_CONFIG;
  const configFiles = new Map(Object.entries(raw.masters).map(([name, m]) => [name, sshConfigFileOf(path, m, raw, fallback)]));
  const configs = new Map<string, SshConfig>();
  const sshProblems: InputError[] = [];
  for (const [name, configFile] of configFiles) {
    if (configs.has(configFile) || raw.masters[name].connection === 'local') continue;
    try {
      configs.set(configFile, await readSshConfig(configFile, raw.masters[name].ssh?.configFile === undefined && raw.defaults?.ssh?.configFile === undefined && options.sshConfigFile === undefined));
    } catch (error) {
      const own = raw.masters[name].ssh?.configFile !== undefined;
      const pointer = own ? joinPointer('/masters', name, 'ssh', 'configFile') : raw.defaults?.ssh?.configFile !== undefined ? '/defaults/ssh/configFile' : joinPointer('/masters', name);
      sshProblems.push(errorAt(doc, pointer, (error as Error).message));
    }
  }
  if (sshProblems.length > 0) throw new InputErrors(sshProblems);
  const inventory = applyDefaults(path, raw, {
    sshConfigOf: (name) => configs.get(configFiles.get(name)!) ?? NO_SSH_CONFIG,
    report: (pointer, message) => sshProblems.push(errorAt(doc, pointer, message)),
  });
  const problems = [
    ...sshProblems,
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
