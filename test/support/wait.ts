import type { Job, Queue } from 'bullmq';

/**
 * Waiting in tests: on the state the test expects, polled with a deadline, never for a fixed time (a loaded machine
 * makes any fixed time too short one day, and every run slower). `probe` answers the awaited value, or
 * undefined/null/false while it is not there yet; `what` names it in the timeout's message. A test that asserts an absence (nothing happens) waits for the observable point
 * after which it would have happened; a fixed pause stays only where there is none, with a comment saying so.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs = 60_000, everyMs = 100 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  for (const started = Date.now(); ; await sleep(everyMs)) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const FINISHED_STATUSES: readonly string[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** The fields of a job run that tests read once it has finished. */
export const FINISHED_RUN_FIELDS =
  'id kind status processed total counts attempts errors { message line column } downloadPath createdBy';

/**
 * The one job-run poll of the tests: `jobRun(id)` through `query` (a GraphQL call as `token`'s holder, over any
 * transport) until it has finished (SUCCEEDED, FAILED or CANCELLED).
 */
export function finishedJobRun(
  query: (document: string, variables: Record<string, unknown>) => Promise<{ jobRun: any }>,
  id: string,
  timeoutMs = 60_000,
): Promise<any> {
  const document = `query($id: ID!) { jobRun(id: $id) { ${FINISHED_RUN_FIELDS} } }`;
  return until(
    `job run ${id} to finish`,
    async () => {
      const { jobRun } = await query(document, { id });
      return FINISHED_STATUSES.includes(jobRun.status) ? jobRun : undefined;
    },
    { timeoutMs },
  );
}

/** A queue's job once it has finished (completed, or failed for good), as BullMQ keeps it. */
export async function finishedQueueJob(queue: Queue, id: string, timeoutMs = 60_000): Promise<Job> {
  await until(`queue job ${id} to finish`, async () => ['completed', 'failed'].includes(await queue.getJobState(id)), {
    timeoutMs,
  });
  return (await queue.getJob(id))!;
}
