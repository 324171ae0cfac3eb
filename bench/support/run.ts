import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The repository (this file runs as dist/bench/support/run.js). Here, not in processes.ts: that one imports this one. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * What every benchmark script does around its measurements: progress lines on
 * stderr (stdout is for the result), cleanup steps that run however the script
 * ends (Ctrl-C included), and the exit code.
 */

/**
 * BENCH_SMOKE=1: tiny data, the same code path start to finish, in seconds. The test suite runs every benchmark
 * so (test/bench-smoke.e2e-spec.ts): a benchmark that no longer starts fails the tests. Its figures mean nothing,
 * so it writes no result file (BENCHMARKS.md, bench/api/last-run.md).
 */
export const SMOKE = process.env.BENCH_SMOKE === '1';

/** An expected failure: its message says it all, so no stack is printed. */
export class BenchFailure extends Error {}

/**
 * A benchmark's counts on the command line (`--contacts 1000000`), each with its default for a full run and for a
 * smoke run. An unknown option throws (node:util parseArgs); a count that is not a positive integer is a BenchFailure.
 */
export function countOptions<K extends string>(
  defaults: Readonly<Record<K, readonly [full: number, smoke: number]>>,
  args: string[] = process.argv.slice(2),
): Record<K, number> {
  const names = Object.keys(defaults) as K[];
  const { values } = parseArgs({
    args,
    options: Object.fromEntries(
      names.map((name) => [name, { type: 'string', default: String(defaults[name][SMOKE ? 1 : 0]) }] as const),
    ),
  });
  const counts = {} as Record<K, number>;
  for (const name of names) {
    const raw = values[name];
    counts[name] = Number(raw);
    if (!Number.isInteger(counts[name]) || counts[name] <= 0)
      throw new BenchFailure(`--${name} must be a positive integer, got "${String(raw)}"`);
  }
  return counts;
}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** 1234567 → "1,234,567" */
export function n(value: number): string {
  return value.toLocaleString('en-US');
}

export function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}

const cleanups: (() => Promise<void> | void)[] = [];

/** A step to undo at the end (a server to stop, a folder to remove); the last added runs first. */
export function onCleanup(step: () => Promise<void> | void): void {
  cleanups.push(step);
}

async function cleanup(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) {
    try {
      await step();
    } catch (error) {
      process.stderr.write(`Cleanup failed: ${String(error)}\n`);
    }
  }
}

/** Runs `main`, then the cleanup steps, and exits with `main`'s code (1 when it throws). */
export async function runBench(main: () => Promise<number | void>): Promise<never> {
  process.once('SIGINT', () => {
    void cleanup().finally(() => process.exit(130));
  });
  let exitCode = 0;
  try {
    exitCode = (await main()) ?? 0;
  } catch (error) {
    const message =
      error instanceof BenchFailure
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`\nBenchmark failed: ${message}\n`);
    exitCode = 1;
  } finally {
    await cleanup();
  }
  process.exit(exitCode);
}

export const BENCHMARKS = path.join(ROOT, 'BENCHMARKS.md');

/** Replaces the section titled `title` (up to the next heading of level 1 or 2) of BENCHMARKS.md, or appends it. */
export async function writeBenchmarksSection(title: string, section: string): Promise<void> {
  if (SMOKE) return log(`Smoke run: ${path.basename(BENCHMARKS)} not written`);
  const text = await readFile(BENCHMARKS, 'utf8').catch(() => '# Benchmarks\n');
  const start = text.indexOf(`\n${title}\n`);
  let next: string;
  if (start < 0) next = `${text.trimEnd()}\n\n${section}\n`;
  else {
    const rest = text.slice(start + 1 + title.length);
    const end = rest.search(/\n#{1,2} /);
    const after = end < 0 ? '' : rest.slice(end + 1);
    next = `${text.slice(0, start).trimEnd()}\n\n${section}\n${after ? `\n${after}` : ''}`;
  }
  await writeFile(BENCHMARKS, next);
  log(`Written to ${path.relative(process.cwd(), BENCHMARKS) || BENCHMARKS}`);
}
