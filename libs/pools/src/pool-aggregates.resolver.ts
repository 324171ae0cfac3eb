import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { AppError, isUuid, UuidPipe } from '@app/common';
import { RequireRole, Role } from '@app/tenancy';
import { PoolLedgerConnectionModel, PoolOverlapCellModel, SegmentOverlapModel } from './pool-aggregates.models.js';
import { PoolAggregatesService } from './pool-aggregates.service.js';

/** The most ledger entries a page holds. */
const LEDGER_PAGE_MAX = 100;

@Resolver()
export class PoolAggregatesResolver {
  constructor(private readonly aggregates: PoolAggregatesService) {}

  @Query(() => SegmentOverlapModel, {
    description:
      'How many people of a shared segment my organization already holds (all my contacts, or one of my audiences) and how many would be new reach (every role): noisy counts, null under k; one question of the day’s budget per segment (TOO_MANY_REQUESTS past 20 different ones; the same question again is free and answered the same); written to the sharing ledger. NOT_FOUND for a segment not live in a pool my organization is ACTIVE in.',
  })
  @RequireRole(Role.ANALYST)
  segmentOverlap(
    @Args('sharedSegmentId', { type: () => ID, description: 'The shared segment id.' }, UuidPipe)
    sharedSegmentId: string,
    @Args('audienceId', {
      type: () => ID,
      nullable: true,
      description: 'One of my audiences to compare with; absent or null: all my contacts.',
    })
    audienceId?: string | null,
  ): Promise<SegmentOverlapModel> {
    if (audienceId != null && !isUuid(audienceId)) throw AppError.badInput('audienceId', 'must be a UUID');
    return this.aggregates.overlap(sharedSegmentId, audienceId?.toLowerCase() ?? null);
  }

  @Query(() => [PoolOverlapCellModel], {
    description:
      "The overlap of every pair of a pool's live shared segments: noisy counts, null under k. For every role of the pool's steward organization, and the ANALYST, ADMIN and OWNER roles of its other ACTIVE members (FORBIDDEN for their EDITOR and VIEWER); one question of the day's budget (TOO_MANY_REQUESTS past 20 different ones); written to the sharing ledger. NOT_FOUND for a pool my organization is not ACTIVE in.",
  })
  @RequireRole(Role.ANALYST)
  poolOverlapMatrix(
    @Args('poolId', { type: () => ID, description: 'The pool id.' }, UuidPipe) poolId: string,
  ): Promise<PoolOverlapCellModel[]> {
    return this.aggregates.matrix(poolId);
  }

  @Query(() => PoolLedgerConnectionModel, {
    description:
      "A pool's sharing ledger as my organization may read it, newest first (every role): the steward reads all of it; a member what was asked of its data and what it asked itself. NOT_FOUND for a pool my organization is not ACTIVE in. CSV: GET /pools/:id/ledger.csv.",
  })
  @RequireRole(Role.ANALYST)
  poolLedger(
    @Args('poolId', { type: () => ID, description: 'The pool id.' }, UuidPipe) poolId: string,
    @Args('first', { type: () => Int, defaultValue: 20, description: `Entries per page, 1 to ${LEDGER_PAGE_MAX}.` })
    first: number,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: 'The endCursor of the previous page; absent for the first page.',
    })
    after: string | null,
  ): Promise<PoolLedgerConnectionModel> {
    if (first < 1 || first > LEDGER_PAGE_MAX)
      throw AppError.badInput('first', `first must be between 1 and ${LEDGER_PAGE_MAX}`);
    return this.aggregates.ledger(poolId, first, after);
  }
}
