import { describe, expect, it } from '@jest/globals';
import { REAPED, reapAction } from './job-runs.reaper.js';
import { JobRunStatus } from './job-run.model.js';

const run = (
  status: JobRunStatus.QUEUED | JobRunStatus.RUNNING,
  over: { ready?: boolean; cancelRequested?: boolean } = {},
) => ({ status, ready: true, cancelRequested: false, ...over });

describe('reapAction (what the reaper does with an unfinished run)', () => {
  it('leaves a run whose job is still to run (waiting, delayed, running)', () => {
    for (const status of [JobRunStatus.QUEUED, JobRunStatus.RUNNING] as const)
      expect(reapAction(run(status), 'pending')).toEqual({ kind: 'keep' });
  });

  it('queues again a ready QUEUED run without job, and gives up one whose upload was never stored', () => {
    expect(reapAction(run(JobRunStatus.QUEUED), 'missing')).toEqual({ kind: 'requeue' });
    expect(reapAction(run(JobRunStatus.QUEUED, { ready: false }), 'missing')).toEqual({
      kind: 'end',
      status: JobRunStatus.FAILED,
      message: REAPED.unprepared,
    });
  });

  it('fails a run whose job is gone while running, failed for good, or ended without it', () => {
    expect(reapAction(run(JobRunStatus.RUNNING), 'missing')).toEqual({
      kind: 'end',
      status: JobRunStatus.FAILED,
      message: REAPED.gone,
    });
    for (const status of [JobRunStatus.QUEUED, JobRunStatus.RUNNING] as const) {
      expect(reapAction(run(status), 'failed')).toEqual({
        kind: 'end',
        status: JobRunStatus.FAILED,
        message: REAPED.failed,
      });
      expect(reapAction(run(status), 'completed')).toEqual({
        kind: 'end',
        status: JobRunStatus.FAILED,
        message: REAPED.ended,
      });
    }
  });

  it('cancels, rather than fails or queues, a run whose cancellation was asked for', () => {
    for (const job of ['missing', 'failed', 'completed'] as const) {
      for (const status of [JobRunStatus.QUEUED, JobRunStatus.RUNNING] as const) {
        expect(reapAction(run(status, { cancelRequested: true }), job)).toEqual({
          kind: 'end',
          status: JobRunStatus.CANCELLED,
          message: null,
        });
      }
    }
  });
});
