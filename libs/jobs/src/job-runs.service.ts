import { Injectable } from '@nestjs/common';
import { AppError, decodeCursor, encodeCursor, ErrorCode } from '@app/common';
import { SqlParams, TenantContexts, TenantDb, type Tx, whereClause } from '@app/database';
import { hasRole, Role } from '@app/tenancy';
import { JobName } from './job-name.enum.js';
import { type JobErrorModel, type JobRunConnectionModel, type JobRunModel, type JobRunsFilterInput, JobRunStatus } from './job-run.model.js';

const MAX_ERRORS = 100;
const COLUMNS = `id, kind, status, processed::int AS processed, total::int AS total, counts, errors, attempts,
  cancel_requested AS "cancelRequested", created_by AS "createdBy", created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt",
  CASE WHEN status = 'SUCCEEDED' AND EXISTS (SELECT 1 FROM job_files f WHERE f.org_id = job_runs.org_id AND f.job_run_id = job_runs.id
                                                AND f.name IN ('result', 'rejected'))
       THEN CASE WHEN kind IN ('contacts.import', 'interactions.import', 'audiences.import-members') THEN '/imports/' || id || '/rejected-rows' ELSE '/exports/' || id END
  END AS "downloadPath"`;

/** Job runs: the tenant-visible record of every queued job, written by the processor as it goes. */
@Injectable()
export class JobRunsService {
  constructor(private readonly db: TenantDb) {}

  async create(tx: Tx, kind: JobName, payload: object): Promise<JobRunModel> {
    const [run] = await tx.query<JobRunModel>(
      `INSERT INTO job_runs (org_id, kind, payload, created_by) VALUES (crm_current_org(), $1, $2, $3) RETURNING ${COLUMNS}`,
      [kind, payload, TenantContexts.current()?.userId ?? null],
    );
    return run;
  }

  /** Whether a run of `kind` whose payload holds `payload` is waiting to start (then it will see what is there now). */
  async queued(kind: JobName, payload: Record<string, string> = {}): Promise<boolean> {
    const [row] = await this.db.transaction((tx) =>
      tx.query(`SELECT 1 FROM job_runs WHERE kind = $1 AND status = 'QUEUED' AND payload @> $2::jsonb LIMIT 1`, [kind, payload]));
    return row !== undefined;
  }

  async get(id: string): Promise<JobRunModel> {
    const [run] = await this.db.transaction((tx) => tx.query<JobRunModel>(`SELECT ${COLUMNS} FROM job_runs WHERE id = $1`, [id]));
    if (!run) throw AppError.notFound('Job run');
    return run;
  }

  /**
   * A finished run of one of `kinds` whose file the caller may download. What a file
   * holds depends on who asked for it (an ANALYST's export has no identifiers),
   * so only its creator, or an ADMIN, reads it. `what` names it in errors.
   */
  async downloadable(id: string, kinds: readonly JobName[], what: string): Promise<JobRunModel> {
    const run = await this.get(id);
    const { userId, role } = TenantContexts.require();
    if (!kinds.includes(run.kind)) throw AppError.notFound(what);
    if (run.status !== JobRunStatus.SUCCEEDED) throw new AppError(ErrorCode.CONFLICT, `The ${what.toLowerCase()} is ${run.status}, not finished`);
    if (run.createdBy !== userId && !hasRole(role as Role, Role.ADMIN)) {
      throw new AppError(ErrorCode.FORBIDDEN, `Only who started the ${what.toLowerCase()}, or an ADMIN, may download its file`);
    }
    return run;
  }

  /** What the run was started with. */
  async payload(id: string): Promise<unknown> {
    const [row] = await this.db.transaction((tx) => tx.query<{ payload: unknown }>('SELECT payload FROM job_runs WHERE id = $1', [id]));
    if (!row) throw AppError.notFound('Job run');
    return row.payload;
  }

  async list(filter: JobRunsFilterInput | null | undefined, first: number, after: string | null | undefined): Promise<JobRunConnectionModel> {
    const where: string[] = [];
    const params = new SqlParams();
    if (filter?.kinds?.length) where.push(`kind = ANY(${params.add(filter.kinds, 'text[]')})`);
    if (filter?.statuses?.length) where.push(`status = ANY(${params.add(filter.statuses, 'text[]')})`);
    if (after) {
      const [createdAt, id] = decodeCursor(after);
      if (typeof createdAt !== 'string' || typeof id !== 'string') throw AppError.badInput('after', 'Invalid cursor');
      where.push(`(created_at, id) < (${params.add(createdAt, 'timestamptz')}, ${params.add(id, 'uuid')})`);
    }
    const rows = await this.db.transaction((tx) =>
      tx.query<JobRunModel & { sortKey: string }>(
        `SELECT ${COLUMNS}, created_at::text AS "sortKey" FROM job_runs ${whereClause(where)}
          ORDER BY created_at DESC, id DESC LIMIT ${params.add(first + 1, 'int')}`,
        params.values,
      ),
    );
    const edges = rows.slice(0, first).map(({ sortKey, ...node }) => ({ cursor: encodeCursor([sortKey, node.id]), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
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

  /** The processor starts an attempt; false when the run was cancelled (or already finished) meanwhile. */
  async start(id: string): Promise<boolean> {
    const updated = await this.db.transaction((tx) =>
      tx.execute(
        `UPDATE job_runs SET status = 'RUNNING', attempts = attempts + 1, started_at = coalesce(started_at, now())
          WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') AND NOT cancel_requested`,
        [id],
      ),
    );
    return updated === 1;
  }

  /** Adds to what the run was started with (what a job learns before it is queued, e.g. an upload's size). */
  async extendPayload(id: string, extra: object): Promise<void> {
    await this.db.transaction((tx) => tx.execute('UPDATE job_runs SET payload = payload || $2 WHERE id = $1', [id, extra]));
  }

  /**
   * Progress from the processor, in a transaction of its own so that it shows
   * while the job's work is uncommitted; answers whether a cancellation was asked for.
   */
  async progress(id: string, processed: number, total: number | null, counts: Record<string, number>): Promise<{ cancelRequested: boolean }> {
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
    await tx.execute('UPDATE job_runs SET outcome = $2, errors = $3 WHERE id = $1', [id, counts, JSON.stringify(errors.slice(0, MAX_ERRORS))]);
  }

  async savedOutcome(id: string): Promise<Record<string, number> | null> {
    const [row] = await this.db.transaction((tx) => tx.query<{ outcome: Record<string, number> | null }>('SELECT outcome FROM job_runs WHERE id = $1', [id]));
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

  /** Keeps an error (the first 100); `final` marks the run FAILED, else it waits for its retry. */
  async recordError(id: string, error: JobErrorModel, final: boolean): Promise<void> {
    await this.db.transaction((tx) =>
      tx.execute(
        `UPDATE job_runs SET errors = CASE WHEN jsonb_array_length(errors) < ${MAX_ERRORS} THEN errors || jsonb_build_array($2::jsonb) ELSE errors END,
                status = CASE WHEN $3 THEN 'FAILED' ELSE 'QUEUED' END,
                finished_at = CASE WHEN $3 THEN now() ELSE finished_at END
          WHERE id = $1 AND status <> 'CANCELLED'`,
        [id, error, final],
      ),
    );
  }
}
