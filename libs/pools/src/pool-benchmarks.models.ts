import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { EngagementFigure } from '@app/engagement';
import { JobRunModel } from '@app/jobs';

export { EngagementFigure as PoolBenchmarkMetric };
registerEnumType(EngagementFigure, {
  name: 'PoolBenchmarkMetric',
  description:
    "An engagement figure my organization compares with its pool's (the definitions of engagementStats and retention).",
  valuesMap: {
    EMAIL_OPEN_RATE: {
      description: 'Distinct contact + campaign pairs that opened, over those delivered (0 to 1; openRate).',
    },
    TICKETS_PER_BUYER: {
      description:
        'Tickets bought (TICKET_PURCHASE quantities; an order without one is one ticket) per distinct buyer.',
    },
    ATTENDANCE_FREQUENCY: { description: 'ATTENDANCE interactions per distinct attendee.' },
    RETENTION: {
      description:
        "Of the people first active ever in the period before, the share active again in this one (0 to 1; retention's first rate).",
    },
  },
});

export enum PoolBenchmarkInterval {
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
  YEAR = 'YEAR',
}
registerEnumType(PoolBenchmarkInterval, {
  name: 'PoolBenchmarkInterval',
  description: 'The periods of a benchmark: calendar periods in America/Toronto time, the last complete ones.',
  valuesMap: {
    MONTH: { description: 'The last 12 complete months.' },
    QUARTER: { description: 'The last 8 complete quarters.' },
    YEAR: { description: 'The last 3 complete years.' },
  },
});

@ObjectType('PoolBenchmarkPeriod', { description: "One period of a benchmark: mine against the pool's." })
export class PoolBenchmarkPeriodModel {
  @Field({ description: "The period's start (a local midnight in America/Toronto, as UTC)." }) periodStart!: Date;
  @Field(() => Float, {
    nullable: true,
    description: "My organization's figure, computed now from its own data; null when no one is counted.",
  })
  mine!: number | null;
  @Field(() => Int, {
    description: 'Whom my figure counts: contacts delivered to, buyers, attendees, or the cohort for RETENTION.',
  })
  minePeople!: number;
  @Field(() => Int, {
    nullable: true,
    description:
      'Contributing organizations with a figure in the period (mine included); null when my organization does not contribute.',
  })
  organizations!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      "The contributors' median, rounded (rates to 0.01, ratios to 0.1); null when suppressed: fewer than 3 organizations or k people, or my organization does not contribute.",
  })
  median!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'The first quartile, rounded; null when suppressed or with fewer than 5 organizations.',
  })
  q1!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'The third quartile, rounded; null when suppressed or with fewer than 5 organizations.',
  })
  q3!: number | null;
  @Field({ description: "Whether the pool's cells of this period are withheld (median, q1 and q3 null)." })
  suppressed!: boolean;
}

@ObjectType('PoolBenchmarks', {
  description:
    "My organization's engagement against the median and quartiles of the pool's contributing organizations, per period.",
})
export class PoolBenchmarksModel {
  @Field(() => ID, { description: 'The pool id.' }) poolId!: string;
  @Field(() => EngagementFigure, { description: 'The figure compared.' }) metric!: EngagementFigure;
  @Field(() => PoolBenchmarkInterval, { description: 'The periods.' }) interval!: PoolBenchmarkInterval;
  @Field({ description: 'The time zone of the periods.' }) timeZone!: string;
  @Field({
    description:
      "Whether my organization contributes its figures to this pool's benchmarks (setPoolBenchmarks): only contributors see the pool's cells.",
  })
  contributing!: boolean;
  @Field(() => [PoolBenchmarkPeriodModel], { description: 'Every period, oldest first.' })
  periods!: PoolBenchmarkPeriodModel[];
}

@ObjectType('PoolBenchmarkSetting', { description: "Whether my organization contributes to a pool's benchmarks." })
export class PoolBenchmarkSettingModel {
  @Field(() => ID, { description: 'The pool id.' }) poolId!: string;
  @Field({ description: 'Whether my organization contributes its engagement figures to the pool’s benchmarks.' })
  contributing!: boolean;
  @Field(() => JobRunModel, {
    nullable: true,
    description:
      'The job computing my figures (POOL_BENCHMARK_FIGURES), started when contributing; null when not contributing.',
  })
  figuresJobRun!: JobRunModel | null;
}
