/**
 * Measures the agent's own cost per no-op `file` request over a local pipe (sequential and
 * pipelined; median and p95) and its peak resident memory. Writes bench/results/agent.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BUNDLE, REPO, ensureBundle } from '../../test/agent/agent-process.js';

const SEQUENTIAL = 3000;
const BATCHES = 60;
const BATCH_SIZE = 100;
const TARGET_MEDIAN_MS = 0.2;
const TARGET_RSS_MB = 60;

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summarize = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: +percentile(sorted, 50).toFixed(4), p95Ms: +percentile(sorted, 95).toFixed(4), samples: samples.length };
};

async function main(): Promise<void> {
  ensureBundle();
  const dir = mkdtempSync(path.join(tmpdir(), 'diskless-agent-bench-'));
  const agent = spawn(process.execPath, [BUNDLE, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const target = path.join(dir, 'motd');
    writeFileSync(target, 'welcome\n', { mode: 0o644 });
    let waiting: { count: number; done: () => void } | null = null;
    createInterface({ input: agent.stdout }).on('line', (line) => {
      if (!JSON.parse(line).ok) throw new Error(`agent answered an error: ${line}`);
      if (waiting && --waiting.count === 0) waiting.done();
    });
    let id = 0;
    const request = (): string => JSON.stringify({ id: ++id, op: 'file', args: { path: target, content: 'welcome\n', mode: '0644' } }) + '\n';
    const send = (count: number): Promise<void> =>
      new Promise((done) => {
        waiting = { count, done };
        agent.stdin.write(Array.from({ length: count }, request).join(''));
      });

    for (let i = 0; i < 500; i++) await send(1); // warm up the JIT

    const sequential: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const start = process.hrtime.bigint();
      await send(1);
      sequential.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    const pipelined: number[] = [];
    for (let i = 0; i < BATCHES; i++) {
      const start = process.hrtime.bigint();
      await send(BATCH_SIZE);
      pipelined.push(Number(process.hrtime.bigint() - start) / 1e6 / BATCH_SIZE);
    }
    const status = readFileSync(`/proc/${agent.pid}/status`, 'utf8');
    const peakRssMb = +(Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024).toFixed(1);

    const result = {
      date: new Date().toISOString(),
      node: process.version,
      request: 'no-op file (content, mode already in place)',
      sequential: summarize(sequential),
      pipelined: { ...summarize(pipelined), batchSize: BATCH_SIZE, note: 'per request: batch time / batch size' },
      peakRssMb,
      targets: { medianMs: TARGET_MEDIAN_MS, peakRssMb: TARGET_RSS_MB },
      met: { sequentialMedian: summarize(sequential).medianMs < TARGET_MEDIAN_MS, pipelinedMedian: summarize(pipelined).medianMs < TARGET_MEDIAN_MS, peakRss: peakRssMb < TARGET_RSS_MB },
    };
    const out = path.join(REPO, 'bench/results/agent.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.log(`no-op file request, sequential: median ${result.sequential.medianMs} ms, p95 ${result.sequential.p95Ms} ms (${SEQUENTIAL} requests)`);
    console.log(`no-op file request, pipelined:  median ${result.pipelined.medianMs} ms, p95 ${result.pipelined.p95Ms} ms (${BATCHES} batches of ${BATCH_SIZE})`);
    console.log(`agent peak RSS: ${peakRssMb} MB (target < ${TARGET_RSS_MB} MB)`);
    console.log(`written to ${path.relative(process.cwd(), out)}`);
  } finally {
    agent.stdin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
