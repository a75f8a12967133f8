import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialConsole } from './serial-console.js';
import { qemuArgv } from './vm.js';

describe('SerialConsole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'serial-console-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const consoleOf = (script: string, log = join(dir, 'serial.log')) => {
    const child = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    return { child, serial: new SerialConsole(child, log), log };
  };

  it('finds a whole line printed in pieces, with terminal escapes and carriage returns', async () => {
    const { child, serial, log } = consoleOf(`printf 'booting\\r\\n\\033[0;32mdiskless-boot: slave21 ab'; sleep 0.2; printf 'c\\033[0m\\r\\n'; exec sleep 5`);
    const line = await serial.waitForLine(/diskless-boot: \S+ \S+/, 5000);
    assert.equal(line, 'diskless-boot: slave21 abc');
    child.kill('SIGKILL');
    await serial.close();
    assert.match(readFileSync(log, 'utf8'), /\x1b\[0;32mdiskless-boot: slave21 abc/, 'the log keeps the raw console');
  });

  it('keeps a UTF-8 character split between two chunks whole', async () => {
    const { serial } = consoleOf(`printf 'Starting tftpd\\342\\200'; sleep 0.2; printf '\\246 done\\n'`);
    assert.equal(await serial.waitForLine(/done/, 5000), 'Starting tftpd\u2026 done');
    await serial.close();
  });

  it('fails as soon as the process exits, showing its last lines', async () => {
    const { serial } = consoleOf('echo "Kernel panic - not syncing: VFS"; exit 3');
    await assert.rejects(serial.waitForLine(/diskless-boot/, 10_000), /exited \(code 3\).*\n.*Kernel panic/s);
    await serial.close();
  });

  it('fails at once on a line that says the boot went wrong', async () => {
    const { child, serial } = consoleOf('echo "ALERT!  /dev/nfs does not exist.  Dropping to a shell!"; exec sleep 5');
    const started = Date.now();
    await assert.rejects(serial.waitForLine(/diskless-boot/, 10_000, /Dropping to a shell/), /"ALERT! .* Dropping to a shell!" came before a line matched/);
    assert.ok(Date.now() - started < 3000, 'without waiting for the time limit');
    child.kill('SIGKILL');
    await serial.close();
  });

  it('fails when no line matches in time', async () => {
    const { child, serial } = consoleOf('echo iPXE; exec sleep 5');
    await assert.rejects(serial.waitForLine(/Linux version/, 300), /no line matched .* within 0.3 s.*\niPXE/s);
    child.kill('SIGKILL');
    await serial.close();
  });
});

describe('qemuArgv', () => {
  it('boots from the network under TCG with no disk and the lowercase MAC', () => {
    const argv = qemuArgv({ tap: 'tap0', mac: '02:00:0A:01:00:21' });
    assert.deepEqual(argv.slice(argv.indexOf('-accel'), argv.indexOf('-accel') + 2), ['-accel', 'tcg']);
    assert.deepEqual(argv.slice(argv.indexOf('-boot'), argv.indexOf('-boot') + 2), ['-boot', 'n']);
    assert.ok(argv.includes('e1000,netdev=n0,mac=02:00:0a:01:00:21'));
    assert.ok(!argv.some((a) => /^-(hda|drive|cdrom)$/.test(a)), 'no disk');
  });
});
