import assert from 'node:assert/strict';
import { checkArgs } from '../../packages/agent/src/lib/check-args.js';

/** The EARGS message checkArgs gives, or undefined when the arguments pass. */
function refusal(op: string, args: Record<string, unknown>): string | undefined {
  try {
    checkArgs(op, args);
    return undefined;
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'EARGS');
    return (error as Error).message;
  }
}

describe("agent: argument checks made from the operations' declarations", () => {
  it('names the operation, the argument, what was expected and what came, and the path', () => {
    assert.equal(refusal('file', { path: '/etc/motd', content: '', mode: 'rw' }), 'file: argument "mode" must be an octal string such as "0644", got "rw" (path /etc/motd)');
    assert.equal(refusal('directory', {}), 'directory: argument "path" is missing');
    assert.equal(refusal('stat', { path: 'etc' }), 'stat: argument "path" must be an absolute path, got "etc"');
  });

  it('speaks of the value after rendering: no "{{template}}" alternative in an agent message', () => {
    assert.equal(refusal('service', { name: 'ssh', state: 'running' }), 'service: argument "state" must be one of started, stopped, restarted, reloaded, got "running"');
    assert.equal(refusal('copy', { src: '/a', dest: '/b', delete: 'yes' }), 'copy: argument "delete" must be true or false, got "yes"');
    assert.equal(refusal('service', { name: 'ssh', enabled: true, shared: 'x' }), `service: argument "shared" must be a list of absolute paths, the inventory's nfs.shared map, got "x"`);
    assert.equal(refusal('copy', { src: '/a', dest: '/b', exclude: ['ok', ''] }), 'copy: argument "exclude" at "1" must be a non-empty string, got ""');
  });

  it('names a bad key inside an argument', () => {
    assert.equal(refusal('kernel_config', { path: '/k/.config', options: { NFSD: 'y' } }), 'kernel_config: argument "options" has a key "NFSD" that must be a name like CONFIG_NAME (path /k/.config)');
    assert.match(refusal('kernel_config', { path: '/k/.config', options: { CONFIG_X: 'a\nb' } }) ?? '', /^kernel_config: argument "options" at "CONFIG_X" must be "y", "m", "n", a one-line value or null, got "a\\nb"/);
  });

  it('counts an argument given as null as not given, and drops arguments the operation does not know', () => {
    assert.deepEqual(checkArgs('link', { path: '/a', target: 'b', force: null, colour: 'red' }), { path: '/a', target: 'b' });
    assert.match(refusal('link', { path: '/a', target: null }) ?? '', /argument "target" is missing/);
  });
});
