import { setTimeout as sleep } from 'node:timers/promises';
import type { CountingSmtpServer } from '../support/counting-smtp-server.js';
import { cpuBetween, cpuSnapshot } from '../support/measurements.js';
import { BenchFailure, log, n } from '../support/run.js';
import type { AppStack } from '../support/stack.js';

export const DISPATCH_TARGET_PER_SECOND = 300;
const SAMPLE_MS = 100;
/** Left out at the start: the pool's connections opening, the first run reading its campaign. */
const WARM_UP_MS = 2_000;

export interface DispatchResult {
  /** The measured window (seconds) and the messages the SMTP server received in it. */
  seconds: number;
  messages: number;
  messagesPerSecond: number;
  /** Received in all, and whether every message went out (the campaign SENT) before the window ended. */
  received: number;
  finished: boolean;
  /** Cores used in the window by each process; `others`: the rest of the machine (other work at the same time). */
  cpu: { worker: number; api: number; postgres: number | null; benchAndSmtp: number; others: number | null };
  /** PostgreSQL transactions committed per message received (pg_stat_database, flushed about every second). */
  transactionsPerMessage: number;
}

const CANCEL = 'mutation($id: ID!) { cancelCampaign(id: $id) { status } }';

/**
 * The campaign's dispatch (started by its snapshot) into `smtp`, the worker a separate process: messages received per
 * second over `seconds` after a warm-up (or, when the campaign is sent sooner, up to 95% of its messages: not the
 * tail, where fewer connections are busy), with the CPU of each process. A campaign not sent by then is cancelled.
 */
export async function dispatchPhase(
  stack: AppStack,
  smtp: CountingSmtpServer,
  campaignId: string,
  seconds: number,
): Promise<DispatchResult> {
  const pids = [stack.worker.child.pid ?? 0, stack.api.child.pid ?? 0];
  const status = async () =>
    (await stack.owner.query<{ status: string }>('SELECT status FROM campaigns WHERE id = $1', [campaignId])).rows[0]
      .status;
  const commits = async () =>
    Number(
      (
        await stack.owner.query<{ x: string }>(
          'SELECT xact_commit AS x FROM pg_stat_database WHERE datname = current_database()',
        )
      ).rows[0].x,
    );

  log('Dispatch: waiting for the first message...');
  const firstDeadline = Date.now() + 60_000;
  while (smtp.total() === 0) {
    if (Date.now() > firstDeadline) throw new BenchFailure('No message reached the SMTP server within 60 s');
    if (stack.worker.exited() !== null) throw new BenchFailure(`The worker exited: ${stack.worker.output()}`);
    await sleep(10);
  }
  log(`  measuring for ${seconds} s after a ${WARM_UP_MS / 1000} s warm-up (or until the campaign is sent)...`);
  const cpuBefore = await cpuSnapshot(pids, stack.database, { exitedBackends: false });
  const commitsBefore = await commits();
  const samples: { at: number; total: number }[] = [{ at: performance.now(), total: smtp.total() }];
  const end = samples[0].at + WARM_UP_MS + seconds * 1000;
  let finished = false;
  while (performance.now() < end) {
    await sleep(SAMPLE_MS);
    samples.push({ at: performance.now(), total: smtp.total() });
    if (samples.length % 10 === 0 && (await status()) === 'SENT') {
      finished = true;
      break;
    }
    // the rate of the last 5 s: a rate that falls as the campaign goes on shows a cost that grows with it
    if (samples.length > 50 && samples.length % 50 === 1) {
      const back = samples[samples.length - 51];
      const now = samples.at(-1)!;
      log(`    ${n(now.total)} received, ${n(Math.round(((now.total - back.total) * 1000) / (now.at - back.at)))}/s`);
    }
  }
  const cpuAfter = await cpuSnapshot(pids, stack.database, { exitedBackends: false });
  const commitsAfter = await commits();
  const receivedInAll = samples.at(-1)!.total - samples[0].total;
  // sent before the window ended: up to 95% of what was received, not the tail
  const last = finished
    ? (samples.find((s) => s.total - samples[0].total >= 0.95 * receivedInAll) ?? samples.at(-1)!)
    : samples.at(-1)!;
  // after the warm-up, unless it was all sent during it (a small campaign)
  const first = samples.find((s) => s.at >= samples[0].at + WARM_UP_MS && s.at < last.at) ?? samples[0];
  const windowSeconds = (last.at - first.at) / 1000;
  const messages = last.total - first.total;
  const elapsed = (cpuAfter.at - cpuBefore.at) / 1000;
  const between = cpuBetween(cpuBefore, cpuAfter);
  const cores = (value: number) => Math.round((value / elapsed) * 100) / 100;
  const result: DispatchResult = {
    seconds: Math.round(windowSeconds * 10) / 10,
    messages,
    messagesPerSecond: windowSeconds > 0 ? Math.round(messages / windowSeconds) : 0,
    received: smtp.total(),
    finished,
    cpu: {
      worker: cores(between.processes[0]),
      api: cores(between.processes[1]),
      postgres: between.postgres === null ? null : cores(between.postgres),
      benchAndSmtp: cores(cpuAfter.self - cpuBefore.self),
      others: between.others === null ? null : cores(between.others),
    },
    transactionsPerMessage:
      receivedInAll > 0 ? Math.round(((commitsAfter - commitsBefore) / receivedInAll) * 10) / 10 : 0,
  };
  log(
    `  ${n(result.messagesPerSecond)} messages/s (${n(messages)} in ${result.seconds} s), ${n(result.received)} received; ` +
      `CPU cores: ${JSON.stringify(result.cpu)}; ${result.transactionsPerMessage} transactions/message`,
  );
  if (!finished) {
    await stack.gql(CANCEL, { id: campaignId });
    log(`  campaign cancelled (${n(smtp.total())} received by then)`);
  }
  const duplicates = [...smtp.received.values()].filter((count) => count > 1).length;
  if (duplicates > 0) throw new BenchFailure(`${duplicates} messages were received more than once`);
  return result;
}
