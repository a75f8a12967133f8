// Runs the bad-input corpus (test/input/cases/*.json) through the CLI: every case's exit
// code and messages, nothing touched where the input is refused, never a stack trace.
// CORPUS_FILTER=<regex> runs only the cases whose "area: name" matches.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type CaseResult, list, loadCorpus, pattern, removeCaseDir, runAll, STACK_TRACE } from './corpus.js';

const all = loadCorpus();
const filter = process.env.CORPUS_FILTER ? new RegExp(process.env.CORPUS_FILTER) : undefined;
const cases = filter ? all.filter((c) => filter.test(`${c.area}: ${c.name}`)) : all;

/** The areas the issue asks the corpus to cover, each with a floor. */
const MINIMUM = { total: 150, areas: ['inventory', 'playbooks', 'templates', 'cli', 'json', 'facts-cache'] };

describe('bad-input corpus', function () {
  // Every case is a CLI process (mostly start-up: about 0.4 s of CPU); they run a few
  // more at a time than there are CPUs, as each also waits on files, before the checks below.
  this.timeout(1_800_000);
  let results: CaseResult[] = [];
  const keep = Boolean(process.env.CORPUS_KEEP);

  before(async () => {
    results = await runAll(cases, availableParallelism() + 2);
  });

  after(() => {
    if (!keep) results.forEach(removeCaseDir);
  });

  it(`holds at least ${MINIMUM.total} cases, in every area`, () => {
    assert.ok(all.length >= MINIMUM.total, `only ${all.length} cases`);
    const areas = new Set(all.map((c) => c.area));
    for (const area of MINIMUM.areas) assert.ok(areas.has(area), `no case in area ${area}`);
  });

  const byArea = new Map<string, typeof cases>();
  for (const c of cases) byArea.set(c.area, [...(byArea.get(c.area) ?? []), c]);
  for (const [area, inArea] of byArea) {
    describe(`${area} (${inArea.length})`, () => {
      for (const c of inArea) {
        it(`${c.name}: exit ${c.exit}`, () => {
          const r = results[cases.indexOf(c)]!;
          const shown = `\n--- argv: ${c.argv.join(' ')}\n--- exit ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.timedOut ? ' (timed out)' : ''}\n--- stdout:\n${r.stdout}--- stderr:\n${r.stderr}--- dir: ${r.dir}`;
          assert.ok(!STACK_TRACE.test(r.stderr) && !STACK_TRACE.test(r.stdout), `a stack trace:${shown}`);
          assert.equal(r.code, c.exit, `exit code:${shown}`);
          for (const p of list(c.stdout)) assert.match(r.stdout, pattern(p, r.dir), `stdout:${shown}`);
          for (const p of list(c.stderr)) assert.match(r.stderr, pattern(p, r.dir), `stderr:${shown}`);
          for (const p of list(c.stdoutNot)) assert.doesNotMatch(r.stdout, pattern(p, r.dir), `stdout:${shown}`);
          for (const p of list(c.stderrNot)) assert.doesNotMatch(r.stderr, pattern(p, r.dir), `stderr:${shown}`);
          if (c.untouched ?? c.exit === 1) assert.deepEqual(r.changes, [], `something was touched:${shown}`);
          for (const file of c.creates ?? []) assert.ok(existsSync(join(r.dir, file)), `${file} not created:${shown}`);
        });
      }
    });
  }
});
