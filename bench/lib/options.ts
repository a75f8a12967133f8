// Command-line options of `npm run bench`, with the default (full) and quick sizes.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { STORM_TRANSPORTS, type StormTransport } from './boot-storm.js';

const DEFAULT_RESULTS_DIR = fileURLToPath(new URL('../results', import.meta.url));

export interface BenchOptions {
  quick: boolean;
  /** Managed items per master in the equal-work playbook. */
  n: number;
  /** Repetitions of every measured pair. */
  repeat: number;
  /** Masters of the equal-work comparison. */
  masters: number;
  /** Masters of the site.json against site.yml comparison. */
  siteMasters: number;
  /** Master counts of the scaling steps. */
  scale: number[];
  /** Ansible runs the scaling steps up to this many masters (it takes minutes per step beyond). */
  ansibleScaleMax: number;
  slavesPerMaster: number;
  /** Slave counts of the slaves-per-master step (one master of its own). */
  slaveSteps: number[];
  /** Clients of the boot storm (the step's master's slaves, booting at once). */
  stormClients: number;
  /** How the storm's clients fetch the kernel and initramfs, one storm each. */
  stormTransports: StormTransport[];
  /** Ansible's site.yml runs in the slaves-per-master step up to this many slaves (0: never). */
  ansibleSlavesMax: number;
  /** The steps to run (all by default); a run of only some leaves bench/README.md's main table alone. */
  steps: BenchStep[];
  /** Write the table into bench/README.md and bench/results/latest.json. */
  publish: boolean;
  resultsDir: string;
}

export const BENCH_STEPS = ['equal', 'site', 'scale', 'slaves', 'storm'] as const;
export type BenchStep = (typeof BENCH_STEPS)[number];

export const USAGE = `usage: npm run bench -- [--quick] [--n 50] [--repeat 3] [--masters 2] [--site-masters 2]
                      [--scale 1,4,16,32] [--ansible-scale-max 4] [--slaves 8] [--results-dir DIR]
                      [--slave-steps 8,64,250] [--ansible-slaves-max 64] [--storm-clients 64]
                      [--storm-transports tftp,tftp-blksize,http] [--steps equal,site,scale,slaves,storm]
  --masters       masters of the equal-work comparison
  --site-masters  masters of the site.json comparison (default: --masters)
  --slave-steps   slave counts of the slaves-per-master step (one master of its own)
  --ansible-slaves-max  Ansible's site.yml runs in the slaves-per-master step up to this
                  many slaves, first run and no-op (default 64; 0: never, the quick default)
  --storm-clients slaves of one master that boot at once in the boot storm
  --storm-transports  one storm each: tftp (512-byte blocks), tftp-blksize (the block
                  the LAN's MTU carries), http
  --steps         which steps to run: equal (equal work), site, scale (masters), slaves,
                  storm
  --quick         CI size: equal work on 2 masters with N=10, site on 1 master, 2 slaves
                  per master, one repetition, scaling on 1 and 2 masters (Ansible on 1),
                  slaves per master 2 and 4 (without Ansible), a storm of 4 clients; leaves bench/README.md and
                  bench/results/latest.json alone`;

const positive = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, got "${text}"\n${USAGE}`);
  return n;
};

const wholeNumber = (name: string, text: string): number => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new Error(`--${name} must be a whole number (0 or more), got "${text}"\n${USAGE}`);
  return n;
};

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      n: { type: 'string' },
      repeat: { type: 'string' },
      masters: { type: 'string' },
      'site-masters': { type: 'string' },
      scale: { type: 'string' },
      'ansible-scale-max': { type: 'string' },
      slaves: { type: 'string' },
      'results-dir': { type: 'string' },
      'slave-steps': { type: 'string' },
      'ansible-slaves-max': { type: 'string' },
      steps: { type: 'string' },
      'storm-clients': { type: 'string' },
      'storm-transports': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick;
  const scale = (values.scale ?? (quick ? '1,2' : '1,4,16,32')).split(',').map((s) => positive('scale', s));
  const slaveSteps = (values['slave-steps'] ?? (quick ? '2,4' : '8,64,250')).split(',').map((s) => positive('slave-steps', s));
  const steps = (values.steps ?? BENCH_STEPS.join(',')).split(',').map((s) => {
    if (!(BENCH_STEPS as readonly string[]).includes(s)) throw new Error(`--steps takes ${BENCH_STEPS.join(', ')}, got "${s}"\n${USAGE}`);
    return s as BenchStep;
  });
  const stormTransports = (values['storm-transports'] ?? STORM_TRANSPORTS.join(',')).split(',').map((s) => {
    if (!(STORM_TRANSPORTS as readonly string[]).includes(s)) throw new Error(`--storm-transports takes ${STORM_TRANSPORTS.join(', ')}, got "${s}"\n${USAGE}`);
    return s as StormTransport;
  });
  const opts: BenchOptions = {
    quick,
    n: positive('n', values.n ?? (quick ? '10' : '50')),
    repeat: positive('repeat', values.repeat ?? (quick ? '1' : '3')),
    masters: positive('masters', values.masters ?? '2'),
    siteMasters: positive('site-masters', values['site-masters'] ?? (quick ? '1' : (values.masters ?? '2'))),
    scale: [...new Set(scale)].sort((a, b) => a - b),
    ansibleScaleMax: positive('ansible-scale-max', values['ansible-scale-max'] ?? (quick ? '1' : '4')),
    slavesPerMaster: positive('slaves', values.slaves ?? (quick ? '2' : '8')),
    slaveSteps: [...new Set(slaveSteps)].sort((a, b) => a - b),
    // Ansible's site.yml takes minutes per run with tens of slaves; none in the CI size.
    ansibleSlavesMax: wholeNumber('ansible-slaves-max', values['ansible-slaves-max'] ?? (quick ? '0' : '64')),
    stormClients: positive('storm-clients', values['storm-clients'] ?? (quick ? '4' : '64')),
    stormTransports: STORM_TRANSPORTS.filter((t) => stormTransports.includes(t)),
    steps: BENCH_STEPS.filter((s) => steps.includes(s)),
    publish: !quick,
    resultsDir: values['results-dir'] ?? DEFAULT_RESULTS_DIR,
  };
  if (opts.slaveSteps.some((n) => n > 999)) throw new Error("--slave-steps: the step's master has room for 999 slaves and the one it adds");
  if (opts.stormClients > 1000) throw new Error("--storm-clients: the step's master has room for 1000 slaves");
  if (opts.n < 3) throw new Error(`--n must be at least 3 (files, directories and links), got ${opts.n}`);
  return opts;
}
