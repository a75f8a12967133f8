// Hostile values in every string field of the inventory. Each one is either refused
// when the inventory loads (at its file, line, column and JSON pointer), or rendered
// into every file site.json writes with the same structure as a benign value: the
// same files, lines and directives, the same kernel command line in the PXELINUX, GRUB
// and iPXE files, and files that dhcpd -t, lighttpd -tt, grub-script-check and sh -n
// accept. A second part skips the inventory's checks and gives the values straight to
// the templates and the kernel build commands: the escaping helpers keep each value
// one string, field or word, or refuse to render it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { engineParts } from '../../packages/controller/src/engine/engine-parts.js';
import { renderPlaysOffline } from '../../packages/controller/src/engine/render-offline.js';
import { InputError, InputErrors } from '../../packages/controller/src/errors.js';
import { loadInventory } from '../../packages/controller/src/inventory/load-inventory.js';
import { joinPointer } from '../../packages/controller/src/json/pointer.js';
import { loadPlaybooks } from '../../packages/controller/src/playbook/load-playbooks.js';
import { createRenderer } from '../../packages/controller/src/template/render.js';
import { kernelWords } from '../../packages/controller/src/template/helpers.js';
import type { Inventory, Master, Play } from '../../packages/controller/src/types.js';

const repo = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'diskless-hostile-values-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(scratch, 'key')]);
writeFileSync(join(scratch, 'known_hosts'), '');

const MARK = join(scratch, 'pwned');

/** Text that breaks out of a string, a field, a line or a word in one format or another. */
const HOSTILE = [
  'x\n/ *(rw,no_root_squash,insecure)',
  'x"; } host evil { hardware ethernet 02:00:00:00:00:99; fixed-address 192.168.1.99; } #',
  "x' ; touch " + MARK + " ; echo '",
  'x $(touch ' + MARK + ') `touch ' + MARK + '` ${HOME}',
  'quiet\nDEFAULT evil\nLABEL evil\n  KERNEL evil',
  'x\r\n}\nEXPORT { Path = /; }',
  "x' ; menuentry evil { linux /evil } #",
  'x || shell ; #c',
  'x\\',
  'x\u0000y\u001b[2J',
  ' ',
  '',
  '../../etc',
  '/',
  'a'.repeat(300),
  'é ü',
];

/** Every template is rendered: kernel and ganesha NFS servers, sharedLog, HTTP boot, slaves of several architectures, an Etherboot slave. */
function baseInventory(): any {
  return {
    defaults: { ssh: { user: 'root', port: 22, privateKey: join(scratch, 'key'), knownHosts: join(scratch, 'known_hosts'), agent: '/run/agent.sock', timeoutMs: 10000 } },
    vars: { domain: 'lab.diskless.test' },
    masters: {
      'master-a': {
        ssh: { host: '10.231.0.11', user: 'root' },
        lan: { interface: 'lan0', address: '192.168.1.1', prefix: 24, routers: '192.168.1.1', dns: ['192.168.1.1'] },
        nfs: {
          server: 'kernel',
          mountOptions: 'tcp,vers=3,nolock',
          rootOptions: 'tcp,vers=3',
          shared: { '/usr': 'ro', '/home': 'rw', '/opt': { mode: 'ro', rootSquash: false } },
          sharedLog: true,
        },
        boot: { firmware: 'auto', transport: 'http' },
        kernel: { sourceDir: '/usr/src/linux', slaveFromSource: false, arch: 'x86_64' },
        vars: { site: 'a' },
        slaves: {
          slave21: { mac: '02:00:0a:01:00:21', ip: '192.168.1.21', boot: 'pxe', services: ['ssh'], append: 'init=/sbin/init quiet', interface: 'enp3s0' },
          slave22: { mac: '02:00:0a:01:00:22', ip: '192.168.1.22', firmware: 'uefi', services: ['ssh', 'cron'] },
          slave23: { mac: '02:00:0a:01:00:23', ip: '192.168.1.23', firmware: 'bios', arch: 'x86_64' },
        },
      },
      'master-b': {
        ssh: { host: '10.231.0.12' },
        lan: { interface: 'lan0', address: '192.168.2.1', prefix: 24, routers: '192.168.2.1', dns: ['192.168.2.1'] },
        nfs: { server: 'ganesha', mountOptions: 'tcp,vers=3,nolock', shared: { '/usr': 'ro', '/home': 'rw' } },
        slaves: {
          slave31: { mac: '02:00:0a:02:00:31', ip: '192.168.2.31', arch: 'x86_64' },
          slave32: { mac: '02:00:0a:02:00:32', ip: '192.168.2.32', boot: 'etherboot', arch: 'i686' },
          slave33: { mac: '02:00:0a:02:00:33', ip: '192.168.2.33', firmware: 'uefi', append: 'panic=10' },
        },
      },
    },
  };
}

/** Names the playbooks set for themselves: an inventory var of the same name must change nothing. */
const PLAYBOOK_NAMES = [
  'kernel_console', 'http_user', 'nfsroot_options', 'slave_initrd_file', 'bios_loader', 'uefi_loader_x86_64', 'uefi_loader_arm64',
  'etherboot_image', 'master_arch', 'slave_archs_differ', 'boot_over_http', 'etherboot_served', 'ssh_host_key_types', 'etc_master_only',
];

interface Field {
  label: string;
  /** The JSON pointer a refusal must name (or lie under). */
  pointer: string;
  set(doc: any, value: string): void;
  /** The masters whose files the field can reach. */
  masters: string[];
}

const ALL = ['master-a', 'master-b'];
const valueAt = (path: string[], masters = ALL): Field => ({
  label: path.join('.'),
  pointer: joinPointer('', ...path),
  masters,
  set(doc, value) {
    let node = doc;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path[path.length - 1]!] = value;
  },
});
const renamedKey = (parent: string[], key: string, masters = ALL): Field => ({
  label: `${parent.join('.')} key ${key}`,
  pointer: '',
  masters,
  set(doc, value) {
    let node = doc;
    for (const part of parent) node = node[part];
    node[value] = node[key];
    delete node[key];
    this.pointer = joinPointer('', ...parent, value);
  },
});

const A = ['master-a'];
const B = ['master-b'];
const FIELDS: Field[] = [
  ...['host', 'user', 'privateKey', 'knownHosts', 'agent'].map((k) => valueAt(['defaults', 'ssh', k])),
  valueAt(['vars', 'domain']),
  ...PLAYBOOK_NAMES.map((name) => valueAt(['vars', name])),
  renamedKey(['masters'], 'master-a', A),
  valueAt(['masters', 'master-a', 'connection'], A),
  valueAt(['masters', 'master-a', 'ssh', 'host'], A),
  valueAt(['masters', 'master-a', 'ssh', 'user'], A),
  valueAt(['masters', 'master-a', 'lan', 'interface'], A),
  valueAt(['masters', 'master-a', 'lan', 'address'], A),
  valueAt(['masters', 'master-a', 'lan', 'routers'], A),
  valueAt(['masters', 'master-a', 'lan', 'dns', '0'], A),
  valueAt(['masters', 'master-a', 'nfs', 'server'], A),
  valueAt(['masters', 'master-a', 'nfs', 'mountOptions'], A),
  valueAt(['masters', 'master-a', 'nfs', 'rootOptions'], A),
  renamedKey(['masters', 'master-a', 'nfs', 'shared'], '/home', A),
  renamedKey(['masters', 'master-b', 'nfs', 'shared'], '/home', B),
  valueAt(['masters', 'master-a', 'nfs', 'shared', '/usr'], A),
  valueAt(['masters', 'master-a', 'nfs', 'shared', '/opt', 'mode'], A),
  valueAt(['masters', 'master-a', 'boot', 'firmware'], A),
  valueAt(['masters', 'master-a', 'boot', 'transport'], A),
  valueAt(['masters', 'master-a', 'kernel', 'sourceDir'], A),
  valueAt(['masters', 'master-a', 'kernel', 'slaveFromSource'], A),
  valueAt(['masters', 'master-a', 'kernel', 'arch'], A),
  valueAt(['masters', 'master-a', 'vars', 'domain'], A),
  renamedKey(['masters', 'master-a', 'slaves'], 'slave21', A),
  ...['mac', 'ip', 'boot', 'firmware', 'interface', 'arch', 'append'].map((k) => valueAt(['masters', 'master-a', 'slaves', 'slave21', k], A)),
  valueAt(['masters', 'master-a', 'slaves', 'slave21', 'services', '0'], A),
  valueAt(['masters', 'master-b', 'slaves', 'slave32', 'arch'], B),
  valueAt(['masters', 'master-b', 'slaves', 'slave33', 'append'], B),
];

const FACTS = {
  debian: { hostname: 'm', os: { family: 'debian', id: 'debian', version: '12' }, init: 'sysv', packageManager: 'apt', kernel: { release: '6.1.0-50-amd64', config: {} }, arch: 'x86_64', commands: { 'mkelf-linux': '/usr/bin/mkelf-linux' } },
  gentoo: { hostname: 'm', os: { family: 'gentoo', id: 'gentoo', version: '2.15' }, init: 'openrc', packageManager: 'portage', kernel: { release: '6.6.30-gentoo', config: {} }, arch: 'x86_64', commands: { 'mkelf-linux': '/usr/bin/mkelf-linux' } },
} as const;
type Family = keyof typeof FACTS;

let plays: Play[];
const parts = engineParts();
before(async () => {
  plays = await loadPlaybooks([join(repo, 'playbooks/site.json')]);
});

let counter = 0;
async function load(doc: unknown): Promise<{ file: string; inventory?: Inventory; errors?: InputError[] }> {
  const file = join(scratch, `inventory-${++counter}.json`);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  try {
    return { file, inventory: await loadInventory(file) };
  } catch (error) {
    if (error instanceof InputErrors) return { file, errors: error.errors };
    if (error instanceof InputError) return { file, errors: [error] };
    throw error; // a crash: the test fails with it
  }
}

type Files = Map<string, string>;
async function render(inventory: Inventory, master: Master, family: Family): Promise<{ files: Files; failures: string[] }> {
  const outcome = await renderPlaysOffline(inventory, plays, master, structuredClone(FACTS[family]) as Record<string, unknown>, parts);
  return { files: new Map(outcome.files.map((f) => [f.path, f.content])), failures: outcome.failures.map((f) => `${f.playbook} / ${f.task}: ${f.msg}`) };
}

// ---- structure of each format ---------------------------------------------------

/** dhcpd.conf and ganesha.conf tokens: strings are one token each, comments dropped. */
function configTokens(text: string, punctuation: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      tokens.push('<string>');
      i = j + 1;
    } else if (punctuation.includes(c)) {
      tokens.push(c);
      i++;
    } else {
      let j = i;
      while (j < text.length && !/\s/.test(text[j]!) && !punctuation.includes(text[j]!) && text[j] !== '"' && text[j] !== '#') j++;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

/** ganesha.conf: block and key names kept, values (bare or quoted) as <value>. */
function ganeshaStructure(text: string): string[] {
  const tokens = configTokens(text, '{};=,');
  return tokens.map((t, i) => (/[{};=,]/.test(t) || tokens[i + 1] === '=' || tokens[i + 1] === '{' ? t : '<value>'));
}

/** GRUB's words of one line: quotes and backslashes resolved, unquoted operators apart; `bare` the words written without quotes. */
function grubWords(line: string): { words: string[]; bare: string[]; operators: string[] } {
  const words: string[] = [];
  const bare: string[] = [];
  const operators: string[] = [];
  let word: string | undefined;
  let quoted = false;
  let i = 0;
  const end = () => {
    if (word !== undefined) {
      words.push(word);
      if (!quoted) bare.push(word);
    }
    word = undefined;
    quoted = false;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') end();
    else if (c === '#' && word === undefined) break;
    else if (';|&<>'.includes(c)) {
      end();
      operators.push(c);
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      assert.ok(close > i, `unterminated ' in GRUB line: ${line}`);
      word = (word ?? '') + line.slice(i + 1, close);
      quoted = true;
      i = close;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (line[j] !== '"') {
        assert.ok(j < line.length, `unterminated " in GRUB line: ${line}`);
        if (line[j] === '$') operators.push('$');
        if (line[j] === '\\' && '\\"$'.includes(line[j + 1] ?? '')) j++;
        text += line[j];
        j++;
      }
      word = (word ?? '') + text;
      quoted = true;
      i = j;
    } else if (c === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      quoted = true;
      i++;
    } else {
      if (c === '$') operators.push('$');
      word = (word ?? '') + c;
    }
    i++;
  }
  end();
  return { words, bare, operators };
}

/** What GRUB's linux command hands the kernel: words with a space quoted, \ ' " escaped. */
function grubCommandLine(args: string[]): string {
  return args.map((a) => (a.includes(' ') ? `"${a.replace(/[\\'"]/g, '\\$&')}"` : a.replace(/[\\'"]/g, '\\$&'))).join(' ');
}

/** The parameters a kernel reads from a command line, with their grouping quotes taken off. */
function kernelParameters(commandLine: string): string[] {
  return kernelWords(commandLine)
    .filter((w) => !w.startsWith('initrd='))
    .map((w) => w.replace(/^"(.*)"$/, '$1').replace(/^([^"=]+)="(.*)"$/, '$1=$2'));
}

const firstWord = (line: string) => line.trim().split(/\s+/)[0] ?? '';
const isShell = (path: string, content: string) => content.startsWith('#!/bin/sh') || /^\/etc\/(default|conf\.d)\//.test(path) || /\/etc\/conf\.d\/net$/.test(path);

/** A file's structure in its own format: what must not change when only a value does. */
function structure(path: string, content: string): unknown {
  const lines = content.split('\n');
  if (path.endsWith('dhcpd.conf')) return configTokens(content, '{};,');
  if (path.endsWith('ganesha.conf')) return ganeshaStructure(content);
  if (path === '/etc/exports') {
    return lines.map((l) => l.replace(/#.*/, '').trim()).filter(Boolean).map((l) => {
      const fields = l.split(/\s+/);
      return [fields.length, ...fields.slice(1)];
    });
  }
  if (path.endsWith('/etc/fstab')) return lines.filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/).map((f, i) => (i === 2 || i >= 4 ? f : '<field>')));
  if (/\/grub\/grub\.cfg/.test(path)) {
    return lines.map((l) => {
      const { words, bare, operators } = grubWords(l);
      return [words[0] ?? '', operators.join(''), bare.filter((w) => w === '{' || w === '}').join('')];
    });
  }
  if (isShell(path, content)) return lines.map((l) => (/^\s*(#|$)/.test(l) ? '#' : /^[A-Za-z_][A-Za-z0-9_]*=/.exec(l)?.[0] ?? firstWord(l)));
  return lines.map((l) => (l.trim().startsWith('#') ? '#' : firstWord(l)));
}

// ---- the daemons' own checkers ---------------------------------------------------

const checked = new Map<string, string | undefined>();
const tools = { dhcpd: '/usr/sbin/dhcpd', lighttpd: '/usr/sbin/lighttpd', grub: '/usr/bin/grub-script-check' };
/** The checker's complaint about a file, undefined when it accepts it (or has no checker here). */
function checkerProblem(path: string, content: string): string | undefined {
  const key = createHash('sha256').update(path).update('\0').update(content).digest('hex');
  if (checked.has(key)) return checked.get(key);
  const file = join(scratch, `check-${key.slice(0, 16)}`);
  writeFileSync(file, content);
  let run: ReturnType<typeof spawnSync> | undefined;
  if (path.endsWith('dhcpd.conf') && existsSync(tools.dhcpd)) run = spawnSync(tools.dhcpd, ['-t', '-4', '-cf', file], { encoding: 'utf8' });
  else if (path.endsWith('lighttpd.conf') && existsSync(tools.lighttpd)) {
    // Gentoo's lighttpd user need not exist on this machine: check the rest.
    writeFileSync(file, content.replace(/^server\.(username|groupname) = .*$/gm, ''));
    run = spawnSync(tools.lighttpd, ['-tt', '-f', file], { encoding: 'utf8' });
  }
  else if (/\/grub\/grub\.cfg/.test(path) && existsSync(tools.grub)) run = spawnSync(tools.grub, [file], { encoding: 'utf8' });
  else if (isShell(path, content)) run = spawnSync('sh', ['-n', file], { encoding: 'utf8' });
  const problem = run && run.status !== 0 ? `${path}: ${String(run.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` : undefined;
  checked.set(key, problem);
  return problem;
}

/** The PXELINUX, GRUB and iPXE files of each slave hand its kernel the same parameters. */
function commandLines(files: Files): Map<string, string[][]> {
  const bySlave = new Map<string, string[][]>();
  const add = (mac: string, params: string[]) => bySlave.set(mac, [...(bySlave.get(mac) ?? []), params]);
  for (const [path, content] of files) {
    let m = /\/pxelinux\.cfg\/(01-[0-9a-f-]+)$/.exec(path);
    if (m) add(m[1]!, kernelParameters(/^\s*APPEND (.*)$/m.exec(content)?.[1] ?? ''));
    m = /\/grub\/grub\.cfg-(01-[0-9a-f-]+)$/.exec(path);
    if (m) add(m[1]!, kernelParameters(grubCommandLine(grubWords(/^\s*linux (.*)$/m.exec(content)?.[1] ?? '').words.slice(1))));
    m = /\/ipxe\/(01-[0-9a-f-]+)\.ipxe$/.exec(path);
    if (m) {
      const words = (/^kernel (.*)$/m.exec(content)?.[1] ?? '').split(/\s+/).slice(1);
      for (const w of words) assert.ok(!w.startsWith('#') && !['||', '&&', ';'].includes(w) && !w.includes('${'), `${path}: iPXE would not pass ${JSON.stringify(w)} on`);
      add(m[1]!, kernelParameters(words.join(' ')));
    }
  }
  return bySlave;
}

/**
 * The hostile render has the benign render's files, each of the same structure, and
 * every checker accepts it. `sameCommandLine`: each slave's boot loaders also hand the
 * kernel the same parameters (not so for \ ' and stray ", which GRUB escapes and the
 * inventory therefore refuses).
 */
function assertSameStructure(benign: Files, hostile: Files, what: string, sameCommandLine = true): void {
  assert.deepEqual([...hostile.keys()].sort(), [...benign.keys()].sort(), `${what}: other files`);
  for (const [path, content] of hostile) {
    assert.deepEqual(structure(path, content), structure(path, benign.get(path)!), `${what}: ${path} changed structure:\n${content}`);
    const problem = checkerProblem(path, content);
    assert.equal(problem, undefined, `${what}: ${problem}\n${content}`);
  }
  for (const [mac, lines] of commandLines(hostile)) {
    if (!sameCommandLine) continue;
    for (const params of lines.slice(1)) assert.deepEqual(params, lines[0], `${what}: the boot loaders of ${mac} hand the kernel different parameters`);
  }
  assert.equal(existsSync(MARK), false, `${what}: a command ran`);
}

const benignFiles = new Map<string, Files>();
async function benign(master: string, family: Family): Promise<Files> {
  const key = `${master}/${family}`;
  if (!benignFiles.has(key)) {
    const { inventory } = await load(baseInventory());
    assert.ok(inventory, 'the base inventory does not load');
    const { files, failures } = await render(inventory, inventory.masters.find((m) => m.name === master)!, family);
    assert.deepEqual(failures, [], `${key}: the base inventory does not render`);
    for (const [path, content] of files) assert.equal(checkerProblem(path, content), undefined, `${key}: ${path}`);
    benignFiles.set(key, files);
  }
  return benignFiles.get(key)!;
}

describe('hostile values in every string field of the inventory', function () {
  this.timeout(120_000);

  it('the base inventory renders every template, and the checkers accept its files', async () => {
    const seen = new Set<string>();
    for (const master of ALL) for (const family of ['debian', 'gentoo'] as const) for (const path of (await benign(master, family)).keys()) seen.add(path);
    for (const expected of ['/etc/dhcp/dhcpd.conf', '/etc/exports', '/etc/ganesha/ganesha.conf', '/etc/lighttpd/lighttpd.conf', '/etc/default/nfs-kernel-server', '/etc/conf.d/nfs', '/etc/default/isc-dhcp-server', '/etc/conf.d/dhcpd', '/etc/init.d/nfs-ganesha-diskless', '/diskless/ipxe/01-02-00-0a-01-00-21.ipxe', '/diskless/grub/grub.cfg-01-02-00-0a-01-00-21', '/diskless/pxelinux.cfg/01-02-00-0a-01-00-21', '/diskless/192.168.1.21/etc/fstab', '/diskless/192.168.1.21/etc/conf.d/net', '/diskless/192.168.1.21/etc/network/interfaces']) {
      assert.ok(seen.has(expected), `${expected} is not rendered`);
    }
  });

  for (const field of FIELDS) {
    it(`${field.label}: refused at its position, or rendered with the same structure`, async () => {
      for (const value of HOSTILE) {
        const doc = baseInventory();
        field.set(doc, value);
        const { file, inventory, errors } = await load(doc);
        const what = `${field.label} = ${JSON.stringify(value).slice(0, 60)}`;
        if (errors) {
          for (const error of errors) {
            assert.equal(error.where?.file, file, `${what}: ${error}`);
            assert.ok((error.where?.line ?? 0) >= 1 && (error.where?.column ?? 0) >= 1, `${what}: no line and column: ${error}`);
            assert.equal(typeof error.where?.pointer, 'string', `${what}: no pointer: ${error}`);
          }
          assert.ok(
            errors.some((e) => e.where!.pointer === field.pointer || e.where!.pointer!.startsWith(`${field.pointer}/`)),
            `${what}: refused, but not at ${field.pointer}:\n${errors.map(String).join('\n')}`,
          );
          continue;
        }
        for (const name of field.masters) {
          const master = inventory!.masters.find((m) => m.name === name);
          assert.ok(master, `${what}: no master ${name}`);
          for (const family of ['debian', 'gentoo'] as const) {
            const { files, failures } = await render(inventory!, master, family);
            assert.deepEqual(failures, [], `${what}: ${name} (${family}) did not render`);
            assertSameStructure(await benign(name, family), files, `${what} on ${name} (${family})`);
          }
        }
      }
    });
  }

  it('refuses the examples of issue 13', async () => {
    const cases: [string, (doc: any) => void, string, RegExp][] = [
      ['an exports line in a share', (d) => (d.masters['master-a'].nfs.shared['/srv\n/ *(rw,no_root_squash,insecure)'] = 'rw'), '/masters/master-a/nfs/shared/~1srv\n~1 *(rw,no_root_squash,insecure)', /must be an absolute path like \/usr/],
      ['PXELINUX lines in append', (d) => (d.masters['master-a'].slaves.slave21.append = 'quiet\nDEFAULT evil\nLABEL evil\n  KERNEL evil'), '/masters/master-a/slaves/slave21/append', /append holds a newline/],
      ['a host block in vars.domain', (d) => (d.vars.domain = 'x";\n}\nhost evil { hardware ethernet 02:00:00:00:00:99; }\n#'), '/vars/domain', /must be a DNS domain/],
      ['a command in kernel.sourceDir', (d) => (d.masters['master-a'].kernel.sourceDir = '/usr/src/linux; touch /tmp/x'), '/masters/master-a/kernel/sourceDir', /must be an absolute directory/],
      ['slaveFromSource "no"', (d) => (d.masters['master-a'].kernel.slaveFromSource = 'no'), '/masters/master-a/kernel/slaveFromSource', /must be a boolean, got "no"/],
      ['a typo in kernel', (d) => (d.masters['master-a'].kernel.sourcDir = '/usr/src/linux'), '/masters/master-a/kernel/sourcDir', /unknown property "sourcDir"/],
      ['the whole root shared', (d) => (d.masters['master-a'].nfs.shared['/'] = 'ro'), '/masters/master-a/nfs/shared/~1', /whole root/],
      ['/usr/../etc', (d) => (d.masters['master-a'].nfs.shared['/usr/../etc'] = 'ro'), '/masters/master-a/nfs/shared/~1usr~1..~1etc', /"\." or "\.\." parts/],
      ['/diskless shared', (d) => (d.masters['master-a'].nfs.shared['/diskless'] = 'ro'), '/masters/master-a/nfs/shared/~1diskless', /is \/diskless/],
      ['/usr beside /usr/', (d) => (d.masters['master-a'].nfs.shared['/usr/'] = 'rw'), '/masters/master-a/nfs/shared/~1usr~1', /is \/usr again/],
      ['a multicast MAC', (d) => (d.masters['master-a'].slaves.slave21.mac = '01:00:5e:01:02:03'), '/masters/master-a/slaves/slave21/mac', /multicast/],
      ['the broadcast MAC', (d) => (d.masters['master-a'].slaves.slave21.mac = 'ff:ff:ff:ff:ff:ff'), '/masters/master-a/slaves/slave21/mac', /broadcast/],
      ['the all-zero MAC', (d) => (d.masters['master-a'].slaves.slave21.mac = '00:00:00:00:00:00'), '/masters/master-a/slaves/slave21/mac', /no NIC's address/],
      ['service ".."', (d) => (d.masters['master-a'].slaves.slave21.services = ['..']), '/masters/master-a/slaves/slave21/services/0', /must be a service name/],
      ['a timeout of 1e12 ms', (d) => (d.defaults.ssh.timeoutMs = 1e12), '/defaults/ssh/timeoutMs', /from 100 to 3600000/],
      ['a command in ssh.host (printed in the ssh-keyscan hint)', (d) => (d.masters['master-a'].ssh.host = '10.231.0.11; touch /tmp/x'), '/masters/master-a/ssh/host', /must be a host name or address/],
    ];
    for (const [what, change, pointer, message] of cases) {
      const doc = baseInventory();
      change(doc);
      const { errors } = await load(doc);
      assert.ok(errors, `${what}: accepted`);
      const error = errors.find((e) => e.where?.pointer === pointer);
      assert.ok(error, `${what}: nothing at ${pointer}:\n${errors.map(String).join('\n')}`);
      assert.match(error.message, message, what);
    }
  });
});

describe('hostile values that skip the inventory checks', function () {
  this.timeout(120_000);

  /** Loads the base inventory and hands a master and the inventory to `change` before rendering. */
  async function renderChanged(masterName: string, family: Family, change: (inventory: Inventory, master: Master) => void) {
    const { inventory } = await load(baseInventory());
    const master = inventory!.masters.find((m) => m.name === masterName)!;
    change(inventory!, master);
    return render(inventory!, master, family);
  }

  const cases: [string, string, (value: string) => (inventory: Inventory, master: Master) => void][] = [
    ['vars.domain (dhcpdString)', 'master-a', (v) => (inv, m) => { inv.vars.domain = v; m.vars.domain = v; }],
    ['slave21 append (pxelinuxArgs, grubArgs, ipxeArgs)', 'master-a', (v) => (_inv, m) => { m.slaves.find((s) => s.name === 'slave21')!.append = v; }],
    ['slave33 append', 'master-b', (v) => (_inv, m) => { m.slaves.find((s) => s.name === 'slave33')!.append = v; }],
    ['a share path on the kernel server (exportsPath, fstabField)', 'master-a', (v) => (_inv, m) => { (m.nfs.shares as { path: string }[])[1]!.path = `/${v}`; }],
    ['a share path on NFS-Ganesha (ganeshaString, fstabField)', 'master-b', (v) => (_inv, m) => { (m.nfs.shares as { path: string }[])[1]!.path = `/${v}`; }],
  ];
  for (const [what, masterName, change] of cases) {
    it(`${what}: the same structure, or a render error naming the helper`, async () => {
      // An empty domain leaves its option out, as no domain does.
      for (const value of HOSTILE.filter((v) => v !== '' || !what.startsWith('vars.domain'))) {
        for (const family of ['debian', 'gentoo'] as const) {
          const label = `${what} = ${JSON.stringify(value).slice(0, 60)} (${family})`;
          const { files, failures } = await renderChanged(masterName, family, change(value));
          if (failures.length > 0) {
            for (const failure of failures) assert.match(failure, /(dhcpdString|fstabField|exportsPath|ganeshaString|shellArg|shellQuoted|pxelinuxArgs|grubArgs|ipxeArgs): /, label);
            continue;
          }
          assertSameStructure(await benign(masterName, family), files, label, !/[\\'"]/.test(value));
        }
      }
    });
  }

  it('kernel build commands keep the source and build directories one shell word each', async () => {
    const play = plays.find((p) => p.name === 'master-kernel')!;
    const shells = [...play.tasks, ...play.handlers].filter((t) => t.op === 'command' && typeof t.args.shell === 'string' && /O=/.test(String(t.args.shell)));
    assert.equal(shells.length, 2, 'the defconfig step and the build handler');
    const renderer = createRenderer();
    // Every command the two run is a stand-in that records its arguments, each in base64.
    const log = join(scratch, 'make.log');
    const stubs = ['make', 'install', 'mv', 'rm', 'nproc']
      .map((c) => `${c}() { printf '${c}' >> "$LOG"; last=; for a in "$@"; do printf ' %s' "$(printf '%s' "$a" | base64 -w0)" >> "$LOG"; last=$a; done; echo >> "$LOG"; if [ ${c} = nproc ]; then echo 1; fi; if [ ${c} = make ] && [ "$last" = image_name ]; then echo arch/x86/boot/bzImage; fi; return 0; }`)
      .join('\n');
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    for (const value of HOSTILE.filter((v) => v !== '' && !v.includes('\u0000'))) {
      const dir = `/usr/src/${value}`;
      for (const arch of ['x86_64', value]) {
        const context = {
          kernel_source_dir: dir,
          slave_build_dir: `/var/lib/diskless/${value}`,
          slave_archs_differ: 'slave21 ',
          master_arch: arch,
          kernel_arch_names: play.vars.kernel_arch_names,
          item: { arch, item: { arch }, changed: true },
        };
        for (const task of shells) {
          const command = renderer.renderString(String(task.args.shell), context, { file: play.file, pointer: task.pointer });
          rmSync(log, { force: true });
          const run = spawnSync('sh', ['-c', `${stubs}\n${command}`], { encoding: 'utf8', env: { PATH: process.env.PATH, LOG: log }, cwd: scratch });
          const label = `${task.name} with ${JSON.stringify(value).slice(0, 40)} (arch ${JSON.stringify(arch).slice(0, 20)})`;
          assert.equal(existsSync(MARK), false, `${label}: a command ran: ${command}`);
          assert.equal(run.status, 0, `${label}: ${run.stderr}\n${command}`);
          const makes = readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('make ')).map((l) => l.split(' ').slice(1));
          assert.ok(makes.length > 0, `${label}: make never ran`);
          for (const args of makes) {
            const shown = args.map((a) => Buffer.from(a, 'base64').toString()).join(' | ');
            assert.ok(args.includes(b64(`O=/var/lib/diskless/${value}/${arch}`)), `${label}: make ${shown}`);
            assert.ok(args.includes(b64(`ARCH=${arch}`)), `${label}: make ${shown}`);
            if (String(task.args.shell).startsWith('make -C')) assert.deepEqual(args.slice(0, 2), [b64('-C'), b64(dir)], `${label}: make ${shown}`);
          }
        }
      }
    }
  });
});
