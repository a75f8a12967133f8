import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../packages/controller/src/errors.js';
import { createRenderer } from '../../../packages/controller/src/template/render.js';
import { fixture, inputErrorsOf } from './input-errors.js';

const context = {
  domain: 'example.test',
  master: {
    name: 'master-a',
    lan: { address: '192.168.1.1', network: '192.168.1.0', netmask: '255.255.255.0', dns: ['192.168.1.1', '192.168.1.2'] },
    slaves: [
      { name: 'slave21', mac: '00:02:a5:04:3b:66', ip: '192.168.1.21', boot: 'pxe' },
      { name: 'slave22', mac: '00:02:a5:04:3b:67', ip: '192.168.1.22', boot: 'etherboot' },
    ],
  },
  port: 2049,
};
const where = { file: '/pb/nfs.json', pointer: '/tasks/3/file/content' };
const template = (name: string) => fixture('templates', name);

describe('createRenderer', () => {
  describe('renderFile', () => {
    it('renders with helpers and without HTML escaping', () => {
      const text = createRenderer().renderFile(template('ok.hbs'), context);
      assert.equal(text, 'subnet 192.168.1.0 netmask 255.255.255.0 { # a&b <c>\n  01-00-02-a5-04-3b-66 C0A80115\n}\n');
    });

    it('names the template file, line, column and variable when a variable is undefined', async () => {
      const [error] = await inputErrorsOf(() => createRenderer().renderFile(template('undefined-var.hbs'), context));
      assert.equal(error!.message, 'undefined variable "nosuch"');
      assert.deepEqual(error!.where, { file: template('undefined-var.hbs'), line: 3, column: 19 });
      assert.equal(error!.toString(), `${template('undefined-var.hbs')}:3:19: undefined variable "nosuch"`);
    });

    it('names the undefined part of a deeper path used as a helper argument', async () => {
      const [error] = await inputErrorsOf(() => createRenderer().renderFile(template('nested-undefined.hbs'), context));
      assert.equal(error!.message, 'undefined variable "master.nothere" (in "master.nothere.deeper")');
      assert.equal(error!.where?.line, 2);
    });

    it('names an unknown helper', async () => {
      const [error] = await inputErrorsOf(() => createRenderer().renderFile(template('unknown-helper.hbs'), context));
      assert.equal(error!.message, 'unknown helper "joinn"');
      assert.deepEqual([error!.where?.line, error!.where?.column], [2, 5]);
    });

    it('reports a syntax error with its line', async () => {
      const [error] = await inputErrorsOf(() => createRenderer().renderFile(template('syntax-error.hbs'), context));
      assert.match(error!.message, /^template syntax error: /);
      assert.equal(error!.where?.file, template('syntax-error.hbs'));
      assert.equal(error!.where?.line, 4);
    });

    it('reports a missing template file', async () => {
      const [error] = await inputErrorsOf(() => createRenderer().renderFile(template('nope.hbs'), context));
      assert.equal(error!.where?.file, template('nope.hbs'));
    });

    it('compiles a file once per renderer', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'render-test-'));
      try {
        const file = join(dir, 't.hbs');
        writeFileSync(file, 'one {{domain}}');
        const renderer = createRenderer();
        assert.equal(renderer.renderFile(file, context), 'one example.test');
        writeFileSync(file, 'two {{domain}}');
        assert.equal(renderer.renderFile(file, context), 'one example.test');
        assert.equal(createRenderer().renderFile(file, context), 'two example.test');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('renderString', () => {
    it('renders text and leaves text without {{ as it is', () => {
      const renderer = createRenderer();
      assert.equal(renderer.renderString('dns {{join master.lan.dns ", "}}', context, where), 'dns 192.168.1.1, 192.168.1.2');
      assert.equal(renderer.renderString('plain & <text>', context, where), 'plain & <text>');
    });

    it('names the file and pointer when a variable is undefined', async () => {
      const [error] = await inputErrorsOf(() => createRenderer().renderString('x {{master.nope}}', context, where));
      assert.ok(error instanceof InputError);
      assert.equal(error.message, 'undefined variable "master.nope"');
      assert.deepEqual(error.where, where);
    });
  });

  describe('renderValue', () => {
    it('renders every string inside objects and lists, keeping keys and other values', () => {
      const value = createRenderer().renderValue(
        { path: '/diskless/{{master.slaves.0.ip}}/etc', mode: '0644', list: ['{{domain}}', 3, true, null], nested: { '{{key}}': 'x' } },
        context,
        where,
      );
      assert.deepEqual(value, { path: '/diskless/192.168.1.21/etc', mode: '0644', list: ['example.test', 3, true, null], nested: { '{{key}}': 'x' } });
    });

    it('yields the raw value of a string that is exactly one expression', () => {
      const renderer = createRenderer();
      assert.deepEqual(renderer.renderValue('{{master.slaves}}', context, where), context.master.slaves);
      assert.equal(renderer.renderValue('{{ port }}', context, where), 2049);
      assert.equal(renderer.renderValue('{{count master.slaves}}', context, where), 2);
      assert.deepEqual(renderer.renderValue('{{where master.slaves "boot" "pxe"}}', context, where), [context.master.slaves[0]]);
      assert.equal(renderer.renderValue('port {{port}}', context, where), 'port 2049');
      assert.equal(renderer.renderValue('{{#if port}}yes{{/if}}', context, where), 'yes');
    });

    it('points at the nested value whose variable is undefined', async () => {
      const [error] = await inputErrorsOf(() => createRenderer().renderValue({ argv: ['ls', '{{nope}}'] }, context, where));
      assert.equal(error!.message, 'undefined variable "nope"');
      assert.equal(error!.where?.pointer, '/tasks/3/file/content/argv/1');
    });

    it('names the variable in a deeper undefined path', async () => {
      const [error] = await inputErrorsOf(() => createRenderer().renderValue('{{nope.deeper}}', context, where));
      assert.equal(error!.message, 'undefined variable "nope" (in "nope.deeper")');
    });

    it('reports a failing helper with its message', async () => {
      const [error] = await inputErrorsOf(() => createRenderer().renderValue('{{ipHex "x"}}', context, where));
      assert.equal(error!.message, 'template failed: ipHex: not an IPv4 address: "x"');
      assert.equal(error!.where?.pointer, where.pointer);
    });
  });
});
