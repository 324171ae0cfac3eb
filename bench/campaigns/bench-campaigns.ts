import 'reflect-metadata';
import os from 'node:os';
import { logger } from '@app/common';
import { postgresVersion } from '../support/database.js';
import { CountingSmtpServer } from '../support/counting-smtp-server.js';
import { machine } from '../support/measurements.js';
import { BenchFailure, log, n, onCleanup, runBench, SMOKE } from '../support/run.js';
import { AppStack } from '../support/stack.js';
import { loadCampaignData } from './campaign-data.js';
import { DISPATCH_TARGET_PER_SECOND, dispatchPhase } from './dispatch-phase.js';
import { explainCandidates, SNAPSHOT_TARGET_MS, snapshotPhase } from './snapshot-phase.js';
import { TRACKING_TARGET, trackingPhase } from './tracking-phase.js';

/**
 * `npm run bench:campaigns`: the three figures of the campaigns issue, on one stack (embedded PostgreSQL, or a fresh
 * database on DATABASE_URL's server; the API and the worker as child processes; a local SMTP server in this process).
 * 1. Snapshot: BENCH_CONTACTS contacts (1,000,000) with a realistic consent mix, a STATIC audience of
 *    BENCH_MEMBERS members (280,000: about 100,000 of them can receive email; the others are left out, each for its
 *    reason) and an excluded audience; a campaign created and scheduled over GraphQL; the
 *    time until its snapshot run has SUCCEEDED, and EXPLAIN ANALYZE of its recipients statement.
 * 2. Dispatch: the same campaign into the SMTP server at sendRate 100,000/min: messages received per second over
 *    BENCH_DISPATCH_SECONDS (60; the campaign is then cancelled), CPU of each process.
 * 3. Tracking: opens and clicks of the messages sent, BENCH_CONNECTIONS connections (50) for BENCH_SECONDS (20).
 * Prints one JSON line on stdout (progress on stderr). BENCH_SMOKE=1: 2,000 contacts, 200 members, every message sent,
 * 2 s of tracking with 5 connections.
 */
function knob(name: string, full: number, smoke: number): number {
  const value = Number(process.env[name] ?? (SMOKE ? smoke : full));
  if (!Number.isInteger(value) || value <= 0) throw new BenchFailure(`${name} must be a positive integer`);
  return value;
}

async function main(): Promise<void> {
  logger.level = process.env.LOG_LEVEL ?? 'warn';
  const contacts = knob('BENCH_CONTACTS', 1_000_000, 2_000);
  const members = knob('BENCH_MEMBERS', 280_000, 200);
  if (members > contacts) throw new BenchFailure('BENCH_MEMBERS must be at most BENCH_CONTACTS');
  const excluded = Math.max(2, Math.round(members / 20));
  const dispatchSeconds = knob('BENCH_DISPATCH_SECONDS', 60, 60);
  const tracking = { seconds: knob('BENCH_SECONDS', 20, 2), connections: knob('BENCH_CONNECTIONS', 50, 5) };

  const smtp = await CountingSmtpServer.start();
  onCleanup(() => smtp.close());
  const stack = await AppStack.open('crm_bench_campaigns', { SMTP_URL: smtp.url, PUBLIC_URL: 'http://crm.bench' });
  const data = await loadCampaignData(stack, { contacts, members, excluded });
  log(`  loaded in ${Math.round(data.seconds)} s`);

  // a phase that fails shows what the API and the worker said last (their errors are logged there, not answered)
  const { snapshot, dispatch, candidates, track } = await (async () => {
    const snapshot = await snapshotPhase(stack, data);
    const dispatch = await dispatchPhase(stack, smtp, snapshot.campaignId, dispatchSeconds);
    const candidates = await explainCandidates(stack, data, snapshot.campaignId);
    const track = await trackingPhase(stack, snapshot.campaignId, tracking);
    return { snapshot, dispatch, candidates, track };
  })().catch((error: unknown) => {
    for (const child of [stack.api, stack.worker]) log(`--- the ${child.name}'s last output:\n${child.output()}`);
    throw error;
  });

  const met = {
    snapshot: snapshot.totalMs <= SNAPSHOT_TARGET_MS,
    dispatch: dispatch.messagesPerSecond >= DISPATCH_TARGET_PER_SECOND,
    tracking: track.requestsPerSecond >= TRACKING_TARGET.requestsPerSecond && track.p99Ms < TRACKING_TARGET.p99Ms,
  };
  if (!met.snapshot && !SMOKE) {
    log('Snapshot over its target: the recipients statement in full');
    for (const line of candidates.plan) log(`  ${line}`);
  }
  const [load1, load5, load15] = os.loadavg().map((value) => Math.round(value * 100) / 100);
  const box = machine();
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'campaigns',
      contacts,
      audienceMembers: members,
      excludedMembers: excluded,
      machine: `${box.cpus} CPUs, ${box.cpuModel}, ${n(Math.round(box.ramBytes / 2 ** 30))} GB`,
      postgres: await postgresVersion(stack.database.ownerUrl),
      loadAverage: [load1, load5, load15],
      met,
      snapshot: {
        recipients: snapshot.recipients,
        excluded: snapshot.excluded,
        totalMs: Math.round(snapshot.totalMs),
        waitMs: Math.round(snapshot.waitMs),
        runMs: Math.round(snapshot.runMs),
        candidatesMs: candidates.ms === null ? null : Math.round(candidates.ms),
      },
      dispatch,
      tracking: track,
    })}\n`,
  );
}

await runBench(main);
