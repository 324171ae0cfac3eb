import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import {
  keysetConnection,
  type KeysetOrder,
  type KeysetRow,
  keysetSql,
  SqlParams,
  TenantContexts,
  TenantDb,
  type Tx,
  whereClause,
} from '@app/database';
import { JobFileName } from './job-files.service.js';
import { IMPORT_JOBS, JobName } from './job-name.enum.js';
import { JobQueues } from './job-queues.js';
import {
  type JobErrorModel,
  type JobRunConnectionModel,
  type JobRunModel,
  type JobRunsFilterInput,
  JobRunStatus,
} from './job-run.model.js';

const MAX_ERRORS = 100;
/** A job's error message as kept on its run: bounded (an error may quote what it choked on). */
export const MAX_ERROR_MESSAGE = 500;
/** How long an upload may take to store before the reaper gives its run up. */
const PREPARE_LIMIT_MS = 6 * 3_600_000;
const NEWEST_FIRST: KeysetOrder = {
  columns: [
    { column: 'created_at', type: 'timestamptz' },
    { column: 'id', type: 'uuid' },
  ],
  descending: true,
};
const COLUMNS = `id, kind, status, processed::int AS processed, total::int AS total, counts, errors, attempts,
  cancel_requested AS "cancelRequested", created_by AS "createdBy", created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt",
  CASE WHEN status = 'SUCCEEDED' AND EXISTS (SELECT 1 FROM job_files f WHERE f.org_id = job_runs.org_id AND f.job_run_id = job_runs.id
                                                AND f.name IN ('${JobFileName.RESULT}', '${JobFileName.REJECTED}'))
       THEN CASE WHEN kind IN (${IMPORT_JOBS.map((kind) => `'${kind}'`).join(', ')}) THEN '/imports/' || id || '/rejected-rows' ELSE '/exports/' || id END
  END AS "downloadPath"`;

/** A run as its processor starts it: what the job does and on whose behalf, from its row (never from the queue). */
export interface StartedRun {
  params: unknown;
  userId: string | null;
  role: string | null;
  /** Its creator is no longer a member of the organization: the run must not act. */
  creatorLeft: boolean;
}

/**
 * The role a run acts with, from the role its creator started it with and their role now (null: no longer a member);
 * null when it must not act. Given by the application (runRole, in libs/tenancy): libs/jobs knows no roles.
 */
export type RunRole = (createdRole: string | null, memberRole: string | null) => string | null;
export const RUN_ROLE = Symbol('RUN_ROLE');

/** An unfinished run as the reaper sees it. */
export interface WatchedRun {
  id: string;
  kind: JobName;
  status: JobRunStatus.QUEUED | JobRunStatus.RUNNING;
  attempts: number;
  cancelRequested: boolean;
  /** False while it is being prepared (an upload being stored). */
  ready: boolean;
}

/** Job runs: the tenant-visible record of every queued job, written by the processor as it goes. */
@Injectable()
export class JobRunsService {
  constructor(
    private readonly db: TenantDb,
    private readonly queues: JobQueues,
    @Inject(RUN_ROLE) private readonly runRole: RunRole,
  ) {}

  /**
   * A new run, with the creator and role of the current context, and its dispatch (the reaper's view of it): `ready`
   * false while the caller still prepares it (then `prepared()`), `delayMs` when its job is due.
   */
  async create(tx: Tx, kind: JobName, payload: object, { ready = true, delayMs = 0 } = {}): Promise<JobRunModel> {
    const context = TenantContexts.current();
    const [run] = await tx.query<JobRunModel>(
      `WITH run AS (
         INSERT INTO job_runs (org_id, kind, payload, created_by, created_role) VALUES (crm_current_org(), $1, $2, $3, $4) RETURNING *
       ), dispatch AS (
         INSERT INTO job_dispatches (organization_id, job_run_id, queue_prefix, ready, watch_from)
           SELECT org_id, id, $5, $6, now() + CASE WHEN $6 THEN $7::int ELSE ${PREPARE_LIMIT_MS} END * interval '1 millisecond' FROM run
       )
       SELECT ${COLUMNS} FROM run AS job_runs`,
      [kind, payload, context?.userId ?? null, context?.role ?? null, this.queues.prefix, ready, delayMs],
    );
    return run;
  }

  /** The run is prepared: its params get `extra`, and its job may be queued (due in `delayMs`). */
  async prepared(id: string, extra: object, delayMs = 0): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.execute('UPDATE job_runs SET payload = payload || $2 WHERE id = $1', [id, extra]);
      await tx.execute(
        `UPDATE job_dispatches SET ready = true, watch_from = now() + $2::int * interval '1 millisecond'
          WHERE organization_id = crm_current_org() AND job_run_id = $1`,
        [id, delayMs],
      );
    });
  }

  /**
   * Whether a run of `kind` whose payload holds `payload` is waiting to start (then it will see what is there now).
   * Only a run whose job is on the queue counts: a run left QUEUED without one (its process died before queueing it)
   * would never start, and trusting it would stop what waits on it.
   */
  async queued(kind: JobName, payload: Record<string, string> = {}): Promise<boolean> {
    const rows = await this.db.transaction((tx) =>
      tx.query<{ id: string }>(
        `SELECT id FROM job_runs WHERE kind = $1 AND status = 'QUEUED' AND payload @> $2::jsonb ORDER BY created_at DESC LIMIT 3`,
        [kind, payload],
      ),
    );
    for (const { id } of rows) if ((await this.queues.state(kind, id)) === 'pending') return true;
    return false;
  }

  async get(id: string): Promise<JobRunModel> {
    const [run] = await this.db.transaction((tx) =>
      tx.query<JobRunModel>(`SELECT ${COLUMNS} FROM job_runs WHERE id = $1`, [id]),
    );
    if (!run) throw AppError.notFound('Job run');
    return run;
  }

  /**
   * A finished run of one of `kinds` whose file the caller may download. What a file
   * holds depends on who asked for it (an ANALYST's export has no identifiers),
   * so only its creator, or an ADMIN, reads it: `mayDownload` (libs/tenancy's
   * isCreatorOrAdmin) says whether the caller is one. `what` names it in errors.
   */
  async downloadable(
    id: string,
    kinds: readonly JobName[],
    what: string,
    mayDownload: (run: JobRunModel) => boolean,
  ): Promise<JobRunModel> {
    const run = await this.get(id);
    if (!kinds.includes(run.kind)) throw AppError.notFound(what);
    if (run.status !== JobRunStatus.SUCCEEDED)
      throw new AppError(ErrorCode.CONFLICT, `The ${what.toLowerCase()} is ${run.status}, not finished`);
    if (!mayDownload(run)) {
      throw new AppError(
        ErrorCode.FORBIDDEN,
        `Only who started the ${what.toLowerCase()}, or an ADMIN, may download its file`,
      );
    }
    return run;
  }

  /** What the run was started with. */
  async payload(id: string): Promise<unknown> {
    const [row] = await this.db.transaction((tx) =>
      tx.query<{ payload: unknown }>('SELECT payload FROM job_runs WHERE id = $1', [id]),
    );
    if (!row) throw AppError.notFound('Job run');
    return row.payload;
  }

  async list(
    filter: JobRunsFilterInput | null | undefined,
    first: number,
    after: string | null | undefined,
  ): Promise<JobRunConnectionModel> {
    const where: string[] = [];
    const params = new SqlParams();
    if (filter?.kinds?.length) where.push(`kind = ANY(${params.add(filter.kinds, 'text[]')})`);
    if (filter?.statuses?.length) where.push(`status = ANY(${params.add(filter.statuses, 'text[]')})`);
    const page = keysetSql(NEWEST_FIRST, { first, after }, params, where);
    const rows = await this.db.transaction((tx) =>
      tx.query<JobRunModel & KeysetRow>(
        `SELECT ${COLUMNS}, ${page.select} FROM job_runs ${whereClause(where)} ${page.orderLimit}`,
        params.values,
      ),
    );
    return keysetConnection(rows, { first, after });
  }

  /** Asks for a stop: a queued run is cancelled at once, a running one at its next progress report. */
  async requestCancel(id: string): Promise<JobRunModel> {
    return this.db.transaction(async (tx) => {
      const [run] = await tx.query<JobRunModel>(
        `UPDATE job_runs SET cancel_requested = true,
                status = CASE WHEN status = 'QUEUED' THEN 'CANCELLED' ELSE status END,
                finished_at = CASE WHEN status = 'QUEUED' THEN now() ELSE finished_at END
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id],
      );
      if (!run) throw AppError.notFound('Job run');
      if (run.status !== JobRunStatus.CANCELLED && run.status !== JobRunStatus.RUNNING) {
        throw new AppError(ErrorCode.CONFLICT, `Job run is already ${run.status}`);
      }
      return run;
    });
  }

  /**
   * The processor starts an attempt of run `id` of the current tenant, whose kind must be `kind` (the job's name).
   * 'missing' when the tenant has no such run: the job names nothing it may act on. 'done' when the run was
   * cancelled or finished meanwhile (a cancelled running run whose worker died is marked CANCELLED here).
   * The role is the one the creator acted with, lowered to their membership now: a member demoted since acts as
   * what they are, one who left does not act at all. A run without creator is the system's (role null).
   */
  async start(id: string, kind: string): Promise<StartedRun | 'missing' | 'done'> {
    return this.db.transaction(async (tx) => {
      const [run] = await tx.query<{
        params: unknown;
        userId: string | null;
        createdRole: string | null;
        memberRole: string | null;
      }>(
        `UPDATE job_runs r SET status = 'RUNNING', attempts = attempts + 1, started_at = coalesce(started_at, now())
          WHERE id = $1 AND kind = $2 AND status IN ('QUEUED', 'RUNNING') AND NOT cancel_requested
          RETURNING payload AS params, created_by AS "userId", created_role AS "createdRole",
                    (SELECT m.role FROM memberships m WHERE m.org_id = r.org_id AND m.user_id = r.created_by) AS "memberRole"`,
        [id, kind],
      );
      if (!run) {
        const [current] = await tx.query<{ status: JobRunStatus }>(
          'SELECT status FROM job_runs WHERE id = $1 AND kind = $2',
          [id, kind],
        );
        if (!current) return 'missing';
        await tx.execute(
          `UPDATE job_runs SET status = 'CANCELLED', finished_at = now() WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') AND cancel_requested`,
          [id],
        );
        return 'done';
      }
      const { params, userId, createdRole, memberRole } = run;
      if (userId === null) return { params, userId, role: createdRole, creatorLeft: false };
      const role = this.runRole(createdRole, memberRole);
      return { params, userId, role, creatorLeft: role === null };
    });
  }

  /**
   * Progress from the processor, in a transaction of its own so that it shows
   * while the job's work is uncommitted; answers whether a cancellation was asked for.
   */
  async progress(
    id: string,
    processed: number,
    total: number | null,
    counts: Record<string, number>,
  ): Promise<{ cancelRequested: boolean }> {
    const [row] = await this.db.separateTransaction((tx) =>
      tx.query<{ cancelRequested: boolean }>(
        `UPDATE job_runs SET processed = $2, total = coalesce($3, total), counts = $4 WHERE id = $1 RETURNING cancel_requested AS "cancelRequested"`,
        [id, processed, total, counts],
      ),
    );
    return row ?? { cancelRequested: true };
  }

  /**
   * For a job whose work commits in one transaction: its outcome, saved in
   * that transaction, so that a retry after a crash between the commit and
   * the run's end returns it instead of doing the work again.
   */
  async saveOutcome(tx: Tx, id: string, counts: Record<string, number>, errors: JobErrorModel[]): Promise<void> {
    await tx.execute('UPDATE job_runs SET outcome = $2, errors = $3 WHERE id = $1', [
      id,
      counts,
      JSON.stringify(errors.slice(0, MAX_ERRORS)),
    ]);
  }

  async savedOutcome(id: string): Promise<Record<string, number> | null> {
    const [row] = await this.db.transaction((tx) =>
      tx.query<{ outcome: Record<string, number> | null }>('SELECT outcome FROM job_runs WHERE id = $1', [id]),
    );
    return row?.outcome ?? null;
  }

  /**
   * First thing in the transaction of a job whose work commits in one transaction (an import): waits for any other
   * attempt of the run that still works (a job whose lock lapsed, in a long GC or a blocked loop, is delivered again
   * while the first attempt runs), then answers the outcome saved meanwhile, if any, which the caller returns instead
   * of working. The lock is released with the transaction. An advisory lock, not the run's row: progress is written
   * to that row from other transactions while the work runs, and would wait for it.
   */
  async lockAndCheckOutcome(tx: Tx, id: string): Promise<Record<string, number> | null> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('crm_job_run:' || $1::text, 0))`, [id]);
    const [row] = await tx.query<{ outcome: Record<string, number> | null }>(
      'SELECT outcome FROM job_runs WHERE id = $1',
      [id],
    );
    return row?.outcome ?? null;
  }

  /** The end of a run, with its last progress (reports in between are throttled). */
  async finish(
    id: string,
    status: JobRunStatus.SUCCEEDED | JobRunStatus.CANCELLED,
    counts: Record<string, number>,
    last: { processed: number; total: number | null },
  ): Promise<void> {
    await this.db.transaction((tx) =>
      tx.execute(
        `UPDATE job_runs SET status = $2, counts = counts || $3, processed = $4, total = coalesce($5, total), finished_at = now() WHERE id = $1`,
        [id, status, counts, last.processed, last.total],
      ),
    );
  }

  /** Keeps an error (the first 100; its message bounded); `final` marks the run FAILED, else it waits for its retry. */
  async recordError(id: string, error: JobErrorModel, final: boolean): Promise<void> {
    const kept = { ...error, message: error.message.slice(0, MAX_ERROR_MESSAGE) };
    await this.db.transaction((tx) =>
      tx.execute(
        `UPDATE job_runs SET errors = CASE WHEN jsonb_array_length(errors) < ${MAX_ERRORS} THEN errors || jsonb_build_array($2::jsonb) ELSE errors END,
                status = CASE WHEN $3 THEN 'FAILED' ELSE 'QUEUED' END,
                finished_at = CASE WHEN $3 THEN now() ELSE finished_at END
          WHERE id = $1 AND status <> 'CANCELLED'`,
        [id, kept, final],
      ),
    );
  }

  /** The tenant's unfinished runs among `ids`, as the reaper looks at them. */
  async watched(ids: readonly string[]): Promise<WatchedRun[]> {
    return this.db.transaction((tx) =>
      tx.query<WatchedRun>(
        `SELECT r.id, r.kind, r.status, r.attempts, r.cancel_requested AS "cancelRequested", d.ready
           FROM job_dispatches d JOIN job_runs r ON r.org_id = d.organization_id AND r.id = d.job_run_id
          WHERE d.organization_id = crm_current_org() AND d.job_run_id = ANY($1::uuid[]) AND r.status IN ('QUEUED', 'RUNNING')`,
        [ids],
      ),
    );
  }

  /**
   * The reaper ends a run it found stale, unless it changed since it was seen (same status, same attempts): FAILED
   * with `message`, or CANCELLED. Answers whether it did.
   */
  async endStale(
    run: WatchedRun,
    status: JobRunStatus.FAILED | JobRunStatus.CANCELLED,
    message: string | null,
  ): Promise<boolean> {
    const updated = await this.db.transaction((tx) =>
      tx.execute(
        `UPDATE job_runs SET status = $4, finished_at = now(),
                errors = CASE WHEN $5::text IS NOT NULL AND jsonb_array_length(errors) < ${MAX_ERRORS}
                              THEN errors || jsonb_build_array(jsonb_build_object('message', $5::text)) ELSE errors END
          WHERE id = $1 AND status = $2 AND attempts = $3`,
        [run.id, run.status, run.attempts, status, message],
      ),
    );
    return updated === 1;
  }
}
