import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { UuidPipe } from '@app/common';
import { RequireRole, Role } from '@app/tenancy';
import { BreakdownDimension, SegmentBreakdownModel } from './segment-breakdown.models.js';
import { SegmentBreakdownService } from './segment-breakdown.service.js';

@Resolver()
export class SegmentBreakdownResolver {
  constructor(private readonly breakdowns: SegmentBreakdownService) {}

  @Query(() => SegmentBreakdownModel, {
    description:
      "A live shared segment's people by region, preferred language, age band or discipline, from the publisher's data (every role of an ACTIVE member; NOT_FOUND for anyone else). Counts are noisy and rounded, under k suppressed; each new question of a segment counts against my organization's daily budget (TOO_MANY_REQUESTS beyond), and is written to the pool's ledger.",
  })
  @RequireRole(Role.ANALYST)
  sharedSegmentBreakdown(
    @Args('sharedSegmentId', { type: () => ID, description: 'The shared segment id.' }, UuidPipe)
    sharedSegmentId: string,
    @Args('by', { type: () => BreakdownDimension, description: 'What to count its people by.' })
    by: BreakdownDimension,
  ): Promise<SegmentBreakdownModel> {
    return this.breakdowns.breakdown(sharedSegmentId, by);
  }
}
