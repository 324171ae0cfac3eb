import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Every benchmark of package.json, BUILT (`npm test` builds first), in its smoke mode (BENCH_SMOKE=1: tiny data,
 * the same code path start to finish): it exits 0 and prints its result line, and writes no result file. A benchmark
 * that no longer starts (an import cycle, a renamed field, a changed mutation) fails here rather than on the next
 * person to measure. Each one starts its own embedded PostgreSQL; a few run at once.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
// bench:api installs its PostGraphile peer on its first run in a checkout (npm ci in bench/api/postgraphile, about a minute)
const SMOKE_TIMEOUT_MS = 240_000;
const AT_ONCE = 3;

/** What each benchmark prints on stdout when it has finished: its result (a JSON line, or a Markdown table). */
const RESULT_LINES: Record<string, RegExp> = {
  'bench:api': /^### API benchmark/m,
  'bench:jobs': /^\| PostgreSQL \(BullMQ backend\) \| [\d,]+ \| [\d,]+ \|$/m,
  'bench:import': /^\{"benchmark":"import",.*"status":"SUCCEEDED"/m,
  'bench:dedup': /^\{"date":.*"results":\[\{"contacts":600,/m,
  'eval:dedup': /^\{"files":.*"blockingRecall":/m,
  'eval:dedup:suite': /^\| translit \(report, seed 2\) \| translit \| [\d,]+ \| [\d,]+ \|/m,
  'bench:engagement': /^\{"contacts":1000,.*"queries":\[/m,
  'bench:audiences': /^\{"contacts":2000,.*"mismatches":\[\]/m,
  'bench:pools': /^\{"organizations":3,"contacts":300,.*"mismatches":\[\]/m,
  'bench:campaigns':
    /^\{"benchmark":"campaigns","contacts":2000,.*"dispatch":\{.*"finished":true,.*"tracking":\{.*"failed":0,"errors":0\}\}$/m,
};

const scripts = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> })
  .scripts;
/** `npm run bench:x` → `dist/bench/.../x.js`, the node options it runs with and its arguments. */
const benchmarks = Object.entries(scripts)
  .filter(([name]) => /^(bench|eval):/.test(name))
  .map(([name, command]) => {
    const match = /\bnode((?: --[\w-]+(?:=\S+)?)*) (dist\/bench\/\S+\.js)((?: [^\s&|;]+)*)/.exec(command);
    if (!match) throw new Error(`${name}: no \`node dist/bench/....js\` in "${command}"`);
    const split = (text: string) => text.trim().split(' ').filter(Boolean);
    return { name, nodeOptions: split(match[1]), entry: match[2], args: split(match[3]) };
  });

/** BENCH_SMOKE_ONLY=bench:pools,bench:audiences: only those run (checking one benchmark without waiting for all). */
const only = process.env.BENCH_SMOKE_ONLY?.split(',').filter(Boolean) ?? null;
const selected = (name: string) => only === null || only.includes(name);

interface SmokeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function runSmoke(nodeOptions: string[], entry: string, args: string[]): Promise<SmokeRun> {
  const started = Date.now();
  // no DATABASE_URL (each its own embedded PostgreSQL: migrating a shared server would change crm_app's password under
  // the other test files) and no REDIS_URL (the API and worker queue on PostgreSQL; bench:jobs tries a local Redis)
  const child = spawn(process.execPath, [...nodeOptions, entry, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, BENCH_SMOKE: '1', LOG_LEVEL: 'warn' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-20_000)));
  // SIGINT: the benchmarks' own cleanup (servers stopped, folders removed) runs on it
  const timer = setTimeout(() => child.kill('SIGINT'), SMOKE_TIMEOUT_MS);
  const killer = setTimeout(() => child.kill('SIGKILL'), SMOKE_TIMEOUT_MS + 15_000);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** Result files a smoke run must leave as they were. */
const RESULT_FILES = ['BENCHMARKS.md', 'bench/api/last-run.md'];
const readResultFiles = () =>
  RESULT_FILES.map((file) => (existsSync(`${ROOT}${file}`) ? readFileSync(`${ROOT}${file}`, 'utf8') : null));

describe('benchmarks in smoke mode', () => {
  const runs = new Map<string, SmokeRun>();
  let before: (string | null)[];

  beforeAll(async () => {
    before = readResultFiles();
    for (const { entry } of benchmarks) {
      if (!existsSync(`${ROOT}${entry}`))
        throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
    }
    const queue = benchmarks.filter(({ name }) => selected(name));
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift())
        runs.set(next.name, await runSmoke(next.nodeOptions, next.entry, next.args));
    };
    await Promise.all(Array.from({ length: AT_ONCE }, worker));
  }, 3 * SMOKE_TIMEOUT_MS);

  afterAll(() => {
    // the figures mean nothing; the durations say what the smoke runs cost
    if (process.env.TEST_LOGS === '1') {
      process.stdout.write(`${[...runs].map(([name, run]) => `${name}: ${run.seconds.toFixed(1)} s`).join(', ')}\n`);
    }
  });

  it('covers every benchmark of package.json', () => {
    expect(benchmarks.map((b) => b.name).sort()).toEqual(Object.keys(RESULT_LINES).sort());
  });

  it.each(Object.keys(RESULT_LINES).filter(selected))('%s exits 0 and prints its result', (name) => {
    const run = runs.get(name);
    expect(run).toBeDefined();
    const { code, signal, stdout, stderr } = run!;
    const failure = `${name}: exit ${code}${signal ? ` (${signal})` : ''}\n--- stdout ---\n${stdout.slice(-5_000)}\n--- stderr ---\n${stderr}`;
    expect({ code, failure: code === 0 ? null : failure }).toEqual({ code: 0, failure: null });
    expect({ result: RESULT_LINES[name].test(stdout), stdout: stdout.slice(-5_000) }).toMatchObject({ result: true });
  });

  it('writes no result file', () => {
    expect(readResultFiles()).toEqual(before);
  });
});
