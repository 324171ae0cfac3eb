import { Injectable } from '@nestjs/common';
import { domainError, TenantContexts, TenantDb } from '@app/database';
import {
  ANALYTICS_TIME_ZONE,
  type EngagementFigure,
  EngagementFiguresService,
  type FigureInterval,
  TimeInterval,
} from '@app/engagement';
import { JobName, JobsService } from '@app/jobs';
import {
  PoolBenchmarkInterval,
  type PoolBenchmarkSettingModel,
  type PoolBenchmarksModel,
} from './pool-benchmarks.models.js';

const FIGURE_INTERVAL: Record<PoolBenchmarkInterval, FigureInterval> = {
  [PoolBenchmarkInterval.MONTH]: TimeInterval.MONTH,
  [PoolBenchmarkInterval.QUARTER]: TimeInterval.QUARTER,
  [PoolBenchmarkInterval.YEAR]: TimeInterval.YEAR,
};

interface PoolCellRow {
  periodStart: Date;
  contributing: boolean;
  organizations: number | null;
  median: number | null;
  q1: number | null;
  q3: number | null;
  suppressed: boolean;
}

/**
 * Pool benchmarks (issue 15): the pool's cells come from crm_pool_benchmarks (the contributors' figures, stored by the
 * pools.benchmark-figures job of each, median and quartiles with their thresholds, a ledger row); my own figures are
 * computed here, now, from my own data only (EngagementFiguresService), so a member that does not contribute still
 * sees them.
 */
@Injectable()
export class PoolBenchmarksService {
  constructor(
    private readonly db: TenantDb,
    private readonly figures: EngagementFiguresService,
    private readonly jobs: JobsService,
  ) {}

  async benchmarks(
    poolId: string,
    metric: EngagementFigure,
    interval: PoolBenchmarkInterval,
  ): Promise<PoolBenchmarksModel> {
    try {
      // one transaction: the function and my figures list the same periods (the same now())
      return await this.db.transaction(async (tx) => {
        const cells = await tx.query<PoolCellRow>(
          `SELECT period_start AS "periodStart", contributing, organizations, median::float8 AS median,
                  q1::float8 AS q1, q3::float8 AS q3, suppressed
             FROM crm_pool_benchmarks($1, $2, $3, $4)`,
          [poolId, metric, interval, TenantContexts.current()?.userId ?? null],
        );
        const mine = new Map(
          (await this.figures.figures(metric, FIGURE_INTERVAL[interval])).map((row) => [
            row.periodStart.getTime(),
            row,
          ]),
        );
        return {
          poolId,
          metric,
          interval,
          timeZone: ANALYTICS_TIME_ZONE,
          contributing: cells.some((cell) => cell.contributing),
          periods: cells.map(({ contributing: _contributing, ...cell }) => {
            const own = mine.get(cell.periodStart.getTime());
            return { ...cell, mine: own?.value ?? null, minePeople: own?.people ?? 0 };
          }),
        };
      });
    } catch (error) {
      throw domainError(error) ?? error;
    }
  }

  /**
   * Joins or leaves a pool's benchmarks. Joining starts the job that computes my figures (then daily); leaving the
   * last pool my organization contributed to deletes them at once (crm_pool_set_benchmarks).
   */
  async setContributing(poolId: string, contribute: boolean): Promise<PoolBenchmarkSettingModel> {
    let contributing: boolean;
    try {
      [{ contributing }] = await this.db.transaction((tx) =>
        tx.query<{ contributing: boolean }>(`SELECT crm_pool_set_benchmarks($1, $2) AS contributing`, [
          poolId,
          contribute,
        ]),
      );
    } catch (error) {
      throw domainError(error) ?? error;
    }
    // the system's run, not the member's: the figures do not depend on who asked (and outlive their membership)
    const figuresJobRun = contributing
      ? await TenantContexts.run({ orgId: TenantContexts.require().orgId }, () =>
          this.jobs.start(JobName.POOL_BENCHMARK_FIGURES, {}),
        )
      : null;
    return { poolId, contributing, figuresJobRun };
  }
}
