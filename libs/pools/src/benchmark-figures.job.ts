import { Injectable } from '@nestjs/common';
import { TenantContexts, TenantDb } from '@app/database';
import { EngagementFigure, EngagementFiguresService, FIGURE_PERIODS, type FigureInterval } from '@app/engagement';
import { JobHandler, type JobHandlerContract, JobName, JobRunsService, JobsService } from '@app/jobs';

const DAY_MS = 86_400_000;

/**
 * My organization's engagement figures for the pools' benchmarks, computed under its own claim from its own data
 * (every metric and interval), then stored through crm_pool_benchmark_figures_put, which replaces the previous ones
 * (so a retry ends as one clean run) and keeps nothing unless the organization contributes in some pool. While it
 * contributes, the next run is due a day later.
 */
@Injectable()
@JobHandler(JobName.POOL_BENCHMARK_FIGURES)
export class BenchmarkFiguresJob implements JobHandlerContract<object> {
  constructor(
    private readonly db: TenantDb,
    private readonly figures: EngagementFiguresService,
    private readonly jobs: JobsService,
    private readonly runs: JobRunsService,
  ) {}

  async run(): Promise<Record<string, number>> {
    const { contributing, stored } = await this.db.transaction(async (tx) => {
      const [{ contributing }] = await tx.query<{ contributing: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pool_members WHERE org_id = crm_current_org() AND status = 'ACTIVE'
                                                   AND benchmark_contributor) AS contributing`,
      );
      const rows: object[] = [];
      if (contributing) {
        for (const metric of Object.values(EngagementFigure))
          for (const interval of Object.keys(FIGURE_PERIODS) as FigureInterval[])
            for (const row of await this.figures.figures(metric, interval)) rows.push({ metric, interval, ...row });
      }
      const [{ stored }] = await tx.query<{ stored: number }>(
        `SELECT crm_pool_benchmark_figures_put($1::jsonb) AS stored`,
        [contributing ? JSON.stringify(rows) : null],
      );
      return { contributing, stored };
    });
    if (contributing) await this.scheduleDaily();
    return { contributing: contributing ? 1 : 0, figures: stored };
  }

  /** The next daily run, unless one is already waiting: the system's (it outlives whoever turned the setting on). */
  private async scheduleDaily(): Promise<void> {
    await TenantContexts.run({ orgId: TenantContexts.require().orgId, job: true }, async () => {
      if (!(await this.runs.queued(JobName.POOL_BENCHMARK_FIGURES)))
        await this.jobs.start(JobName.POOL_BENCHMARK_FIGURES, {}, undefined, DAY_MS);
    });
  }
}
