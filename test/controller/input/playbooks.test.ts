import assert from 'node:assert/strict';
import { loadPlaybooks } from '../../../packages/controller/src/playbook/load-playbooks.js';
import { loadRun } from '../../../packages/controller/src/playbook/load-run.js';
import { OPERATIONS } from '../../../packages/controller/src/playbook/operations.js';
import { assertError, fixture, inputErrorsOf } from './input-errors.js';
import { exampleInventoryFile, repo } from '../../playbooks/example-inventory.js';

const good = (name: string) => fixture('playbooks', 'good', name);
const bad = (name: string) => fixture('playbooks', 'bad', name);

describe('loadPlaybooks', () => {
  describe('valid playbooks', () => {
    it('inlines imports where they appear, relative to the importing file', async () => {
      const plays = await loadPlaybooks([good('site.json')]);
      assert.deepEqual(plays.map((p) => [p.name, p.file, p.hosts]), [
        ['motd', good('motd.json'), 'masters'],
        ['inline', good('site.json'), 'master-a,master-b'],
      ]);
      assert.equal(plays[0]!.dir, fixture('playbooks', 'good'));
      assert.deepEqual(plays[1]!.tags, ['inline']);
    });

    it('turns each task into op, args and the keywords beside it, with its pointer', async () => {
      const [motd, inline] = await loadPlaybooks([good('site.json')]);
      assert.deepEqual(motd!.vars, { greeting: 'welcome' });
      assert.deepEqual(motd!.tasks[1], {
        name: 'Write the motd',
        op: 'template',
        args: { src: 'templates/motd.hbs', path: '{{motd_path}}', mode: '0644' },
        notify: ['log motd'],
        tags: ['motd', 'files'],
        pointer: '/tasks/1',
      });
      assert.deepEqual(motd!.tasks[2], {
        name: 'One directory per slave',
        op: 'directory',
        args: { path: '/diskless/{{item.ip}}', mode: '0755' },
        loop: '{{master.slaves}}',
        when: "item.boot == 'pxe'",
        register: 'slave_dirs',
        ignoreErrors: true,
        pointer: '/tasks/2',
      });
      assert.deepEqual(motd!.handlers.map((h) => [h.name, h.op, h.pointer]), [['log motd', 'command', '/handlers/0']]);
      assert.deepEqual(inline!.tasks.map((t) => [t.op, t.pointer]), [['debug', '/1/tasks/0'], ['assert', '/1/tasks/1']]);
      assert.deepEqual(inline!.handlers, []);
    });

    it('takes a file that is one import', async () => {
      const plays = await loadPlaybooks([good('single-import.json')]);
      assert.deepEqual(plays.map((p) => [p.name, p.file]), [['motd', good('motd.json')]]);
    });

    it('loads several files in the order given', async () => {
      const plays = await loadPlaybooks([good('motd.json'), good('motd.json')]);
      assert.deepEqual(plays.map((p) => p.name), ['motd', 'motd']);
    });

    it('knows the agent operations and the controller ones', () => {
      for (const op of ['file', 'template', 'directory', 'link', 'absent', 'mknod', 'copy', 'service', 'package', 'kernel_config', 'command', 'stat', 'slurp', 'debug', 'assert', 'set_fact']) {
        assert.ok(OPERATIONS.includes(op), op);
      }
      assert.ok(!OPERATIONS.includes('name') && !OPERATIONS.includes('when') && !OPERATIONS.includes('lock'));
    });
  });

  describe('bad input', () => {
    it('reports a playbook file that does not exist', async () => {
      const errors = await inputErrorsOf(() => loadPlaybooks([good('motd.json'), bad('nope.json')]));
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.where?.file, bad('nope.json'));
      assert.equal(errors[0]!.message, 'playbook file not found');
    });

    it('reports an imported file that does not exist at the import', async () => {
      const file = bad('import-missing.json');
      const errors = await inputErrorsOf(() => loadPlaybooks([file]));
      assertError(errors, { file, pointer: '/0/import_playbook', line: 2, message: `playbook file not found: ${bad('does-not-exist.json')}` });
    });

    it('reports malformed JSON with line and column', async () => {
      const file = bad('malformed.json');
      const [error] = await inputErrorsOf(() => loadPlaybooks([file]));
      assert.deepEqual([error!.where?.file, error!.where?.line, error!.where?.column], [file, 4, 38]);
      assert.match(error!.message, /^malformed JSON: /);
    });

    it('reports an import cycle', async () => {
      const file = bad('cycle-b.json');
      const errors = await inputErrorsOf(() => loadPlaybooks([bad('cycle-a.json')]));
      assert.equal(errors.length, 1);
      assertError(errors, { file, pointer: '/0/import_playbook', line: 2, message: 'import cycle: cycle-a.json -> cycle-b.json -> cycle-a.json' });
    });

    it('reports an unknown operation, suggesting the closest name', async () => {
      const file = bad('unknown-op.json');
      const errors = await inputErrorsOf(() => loadPlaybooks([file]));
      assert.equal(errors.length, 2);
      assertError(errors, { file, pointer: '/tasks/0/fiel', line: '"fiel"', message: 'unknown operation "fiel" (did you mean "file"?)' });
      assertError(errors, { file, pointer: '/tasks/1/frobnicate', line: '"frobnicate"', message: /^unknown operation "frobnicate" \(known: file, template, / });
      assert.equal(errors[0]!.where?.column, 33);
    });

    it('refuses a task with two operations or none', async () => {
      const file = bad('task-shape.json');
      const errors = await inputErrorsOf(() => loadPlaybooks([file]));
      assert.equal(errors.length, 2);
      assertError(errors, { file, pointer: '/tasks/0/directory', line: '"Two at once"', message: 'task names several operations (file, directory): a task runs exactly one' });
      assertError(errors, { file, pointer: '/tasks/1', line: '"Nothing to do"', message: /^task names no operation: add one of file, template, / });
    });

    it('refuses a notify that names no handler, and duplicate handler names', async () => {
      const file = bad('handlers.json');
      const errors = await inputErrorsOf(() => loadPlaybooks([file]));
      assert.equal(errors.length, 3);
      assertError(errors, { file, pointer: '/tasks/0/notify', line: '"restart dhcp"', message: 'notify names no handler "restart dhcp" (did you mean "restart dhcpd"?)' });
      assertError(errors, { file, pointer: '/tasks/1/notify/1', line: '"reload nfs"', message: 'notify names no handler "reload nfs"' });
      assertError(errors, { file, pointer: '/handlers/1/name', line: '"isc-dhcp-server"', message: 'duplicate handler name "restart dhcpd", first at /handlers/0' });
    });

    it('refuses a template src that does not exist beside the playbook, unless it is computed', async () => {
      const file = bad('missing-template.json');
      const errors = await inputErrorsOf(() => loadPlaybooks([file]));
      assert.equal(errors.length, 1);
      assertError(errors, {
        file,
        pointer: '/tasks/0/template/src',
        line: 'nope.hbs',
        message: `template file templates/nope.hbs not found (looked for ${bad('templates/nope.hbs')})`,
      });
    });

    it('checks operation arguments: required, absolute paths, modes, enums, templates allowed', async () => {
      const file = bad('args.json');
      const errors = await inputErrorsOf(() => loadPlaybooks([file]));
      assertError(errors, { file, pointer: '/tasks/0/file/path', line: '"Relative path"', message: 'must be an absolute path, got "etc/motd"' });
      assertError(errors, { file, pointer: '/tasks/0/file/mode', line: '"Relative path"', message: 'must be an octal mode string like "0644", got "644x"' });
      assertError(errors, { file, pointer: '/tasks/1/directory', line: '"No path"', message: 'missing required property "path"' });
      assertError(errors, { file, pointer: '/tasks/2/command', line: '"Both"', message: 'must be a command given as argv (a list) or shell (a string), exactly one of them, got an object' });
      assertError(errors, { file, pointer: '/tasks/3/service/state', line: '"Odd state"', message: 'must be started, stopped, restarted, reloaded or a {{template}}, got "running"' });
      assertError(errors, { file, pointer: '/tasks/3/service/enabled', line: '"Odd state"', message: 'must be true, false or a {{template}}, got "yes"' });
      assertError(errors, { file, pointer: '/tasks/4/register', line: '"Reserved"', message: 'must be a variable name (letters, digits, _; not master, facts, inventory or item), got "facts"' });
      assertError(errors, { file, pointer: '/tasks/5/loop', line: '"Loop"', message: 'must be a list or a {{template}} that yields one, got 3' });
      assertError(errors, { file, pointer: '/tasks/6/template/validate', line: '"Validate"', message: 'must be a command with %s where the new file goes, got "dhcpd -t"' });
      assert.equal(errors.length, 9, errors.map(String).join('\n'));
    });
  });

  describe('loadRun: templates compiled before anything runs', () => {
    const inventory = fixture('inventory', 'valid.json');

    it('reports template syntax errors, unknown helpers and missing partials in template files, at their lines', async () => {
      const file = bad('templates.json');
      const errors = await inputErrorsOf(() => loadRun({ inventory, playbooks: [file] }));
      const inTemplates = errors.filter((e) => e.where?.file?.endsWith('.hbs')).map((e) => [e.where?.file, e.where?.line, e.where?.column, e.message]);
      assert.deepEqual(inTemplates, [
        [bad('templates/syntax.hbs'), 3, undefined, 'template syntax error: unexpected character: expected "}}" near "...er.slaves}}  {{name}{{/each}}"'],
        [bad('templates/helper.hbs'), 2, 3, 'unknown helper "concatt" (did you mean "concat"?)'],
        [bad('templates/helper.hbs'), 3, 1, `partial "missing" not found (looked for ${bad('templates/partials/missing.hbs')})`],
      ]);
    });

    it('reports set_fact values and other templated strings that would not compile, at their pointers', async () => {
      const file = bad('templates.json');
      const errors = await inputErrorsOf(() => loadRun({ inventory, playbooks: [file] }));
      assertError(errors, { file, pointer: '/tasks/3/set_fact/broken', line: '"Facts"', message: 'template syntax error in {{ name ) }}: unexpected ")": expected "}}"' });
      assertError(errors, { file, pointer: '/tasks/3/set_fact/unknown', line: '"Facts"', message: 'unknown helper "lenght" (did you mean "length"?)' });
      assertError(errors, { file, pointer: '/tasks/4/debug/msg', line: '"Message"', message: /^template syntax error: unexpected end of the text: a block opened with \{\{#\.\.\.\}\} is not closed/ });
      assert.equal(errors.length, 6, errors.map(String).join('\n'));
    });

    it('accepts the example playbooks, and the repository\'s own against the lab inventory', async () => {
      await loadRun({ inventory, playbooks: [good('site.json')] });
      const { plays } = await loadRun({ inventory: exampleInventoryFile(), playbooks: [`${repo}/playbooks/site.json`] });
      assert.ok(plays.length > 5);
    });

    it('reports the inventory\'s and the playbooks\' problems together, and an unknown --limit', async () => {
      const errors = await inputErrorsOf(() =>
        loadRun({ inventory: fixture('inventory', 'bad-mac.json'), playbooks: [bad('templates.json'), bad('unknown-op.json')], limit: ['nobody'] }),
      );
      const files = [...new Set(errors.map((e) => e.where?.file ?? '(none)'))];
      assert.deepEqual(files, [fixture('inventory', 'bad-mac.json'), bad('templates.json'), bad('unknown-op.json'), bad('templates/syntax.hbs'), bad('templates/helper.hbs'), '(none)']);
      // The inventory did not load, but it names its masters: --limit is checked against them.
      assert.match(String(errors.at(-1)), /^--limit names no master called nobody in .*bad-mac\.json \(known: /);
      const limited = await inputErrorsOf(() => loadRun({ inventory, limit: ['nobody'] }));
      assert.match(String(limited[0]), /^--limit names no master called nobody in /);
      const blank = await inputErrorsOf(() => loadRun({ inventory, limit: [' '] }));
      assert.equal(String(blank[0]), '--limit: an empty master name is not allowed');
    });
  });
});
