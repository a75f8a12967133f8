// Day 0 as a user meets it: the CLI packed and installed into a prefix outside the
// checkout, `diskless init` in an empty directory, `init --master` proposing the entry
// of a lab master, the slave filled in by hand, and site.json applied from that
// directory; a real DHCP client on the slave then gets its address (lab "day0").
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeManagementNetwork, type InventoryDocument, type Lab, labDown, labUp, writeLabInventory } from '../lab/index.js';
import { ClientScratch, DHCP_CLIENTS, dhcpLease, repoRoot } from './slave-clients.js';

const LAB = 'day0';
const MASTER = 'master-a';

describe('Day 0: the packed CLI on a laptop, init, and a first apply from the new directory', function () {
  this.timeout(15 * 60_000);
  let dir: string;
  let cli: string;
  let lab: Lab;
  let labInventory: InventoryDocument;
  const scratch = new ClientScratch();

  /** The installed `diskless`, from a directory outside the checkout. */
  const diskless = (args: string[], cwd = dir) => {
    const r = spawnSync(cli, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 10 * 60_000 });
    return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'diskless-day0-'));
    const gateway = await freeManagementNetwork();
    const file = writeLabInventory(join(repoRoot, 'examples/lab/inventory.json'), dir, gateway, (inventory) => {
      const master = inventory.masters[MASTER];
      inventory.masters = { [MASTER]: { ...master, slaves: { slave21: (master.slaves as Record<string, unknown>).slave21 } } };
    });
    labInventory = JSON.parse(readFileSync(file, 'utf8')) as InventoryDocument;
    await labDown({ name: LAB });
    lab = await labUp({ inventoryFile: file, name: LAB, managementCidr: `${gateway}/24` });

    const packed = execFileSync('npm', ['pack', '-w', '@diskless/controller', '--pack-destination', dir, '--silent'], { cwd: repoRoot, encoding: 'utf8' });
    const tarball = join(dir, packed.trim().split('\n').at(-1)!);
    const prefix = join(dir, 'prefix');
    execFileSync('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: dir });
    cli = join(prefix, 'bin/diskless');
  });

  after(async () => {
    scratch.remove();
    await labDown({ name: LAB });
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers --version and --help from a directory outside the checkout, carrying its own agent and playbooks', () => {
    const version = diskless(['--version']);
    assert.equal(version.code, 0, version.out);
    const own = JSON.parse(readFileSync(join(repoRoot, 'packages/controller/package.json'), 'utf8')) as { version: string };
    assert.match(version.stdout, new RegExp(`/${own.version.replace(/\./g, '\\.')} `));
    const help = diskless(['--help']);
    assert.equal(help.code, 0, help.out);
    for (const command of ['apply', 'facts', 'init', 'render', 'validate']) assert.match(help.stdout, new RegExp(`^\\s+${command}\\s`, 'm'));
    assert.ok(!cli.startsWith(repoRoot));
  });

  it('makes a directory that validates, and overwrites nothing when run again', () => {
    const made = diskless(['init', 'site']);
    assert.equal(made.code, 0, made.out);
    const site = join(dir, 'site');
    for (const f of ['inventory.json', 'README.md', '.gitignore', 'playbooks/site.json', 'playbooks/templates/dhcpd.conf.hbs', 'playbooks/VERSION', 'schemas/inventory.schema.json']) {
      assert.ok(existsSync(join(site, f)), `init made no ${f}`);
    }
    const inventory = JSON.parse(readFileSync(join(site, 'inventory.json'), 'utf8')) as { $schema: string };
    assert.equal(inventory.$schema, './schemas/inventory.schema.json');
    assert.ok(existsSync(join(site, inventory.$schema)));
    const valid = diskless(['validate', 'playbooks/site.json', '-i', 'inventory.json'], site);
    assert.equal(valid.code, 0, valid.out);

    writeFileSync(join(site, 'README.md'), 'mine\n');
    const again = diskless(['init', 'site']);
    assert.equal(again.code, 1, again.out);
    assert.match(again.out, /overwrites nothing/);
    assert.equal(readFileSync(join(site, 'README.md'), 'utf8'), 'mine\n');
  });

  it('proposes the lab master\'s entry from its facts, and writes it only when confirmed', () => {
    const host = labInventory.masters[MASTER].ssh.host;
    const ssh = ['--private-key', join(dir, 'id_ed25519'), '--known-hosts', join(dir, 'known_hosts')];
    const unconfirmed = diskless(['init', 'unconfirmed', '--master', `root@${host}`, ...ssh]);
    assert.equal(unconfirmed.code, 1, unconfirmed.out);
    assert.match(unconfirmed.out, /"interface": "lan0"/);
    assert.ok(!existsSync(join(dir, 'unconfirmed')), 'written without confirmation');

    const proposed = diskless(['init', 'fleet', '--master', `root@${host}`, '--name', MASTER, '--yes', ...ssh]);
    assert.equal(proposed.code, 0, proposed.out);
    const entry = (JSON.parse(readFileSync(join(dir, 'fleet/inventory.json'), 'utf8')) as InventoryDocument).masters[MASTER];
    const lan = labInventory.masters[MASTER].lan as { interface: string; address: string; prefix: number };
    assert.deepEqual(entry.lan, { interface: lan.interface, address: lan.address, prefix: lan.prefix }, 'not the slave LAN');
    assert.deepEqual(entry.ssh, { host });
    assert.ok(['kernel', 'ganesha'].includes((entry.nfs as { server: string }).server));
  });

  it('applies site.json from that directory: the slave filled in by hand gets its address from a real DHCP client', async () => {
    const fleet = join(dir, 'fleet');
    const file = join(fleet, 'inventory.json');
    const inventory = JSON.parse(readFileSync(file, 'utf8')) as InventoryDocument;
    inventory.defaults = { ssh: { privateKey: '../id_ed25519', knownHosts: '../known_hosts' } };
    inventory.masters[MASTER].slaves = labInventory.masters[MASTER].slaves;
    writeFileSync(file, JSON.stringify(inventory, null, 2));

    const applied = diskless(['apply', 'playbooks/site.json', '-i', 'inventory.json'], fleet);
    assert.equal(applied.code, 0, applied.out);
    const slave = (labInventory.masters[MASTER].slaves as Record<string, { ip: string }>).slave21;
    const lease = await dhcpLease(lab, `${MASTER}/slave21`, DHCP_CLIENTS.biosPxe, scratch);
    assert.equal(lease?.ip, slave.ip);
    assert.equal(lease?.bootFile, 'pxelinux.0');
  });
});
