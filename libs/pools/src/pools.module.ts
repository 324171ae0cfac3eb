import { Module } from '@nestjs/common';
import { ContactsModule } from '@app/contacts';
import { PoolLoaders, PoolsResolver } from './pools.resolver.js';
import { PoolsService } from './pools.service.js';
import { ContactProvenanceMergeStep } from './reveals/contact-provenance.merge-step.js';
import { CopyRevealJob } from './reveals/copy-reveal.job.js';
import {
  ContactProvenanceResolver,
  PoolRevealsResolver,
  SharedSegmentRevealsResolver,
} from './reveals/pool-reveals.resolver.js';
import { PoolRevealsService } from './reveals/pool-reveals.service.js';
import { SharedSegmentsResolver } from './shared-segments.resolver.js';
import { SharedSegmentsService } from './shared-segments.service.js';

/** Pools: organizations pooling audiences, their memberships, shared segments and reveals (with the copy job). */
@Module({
  imports: [ContactsModule],
  providers: [PoolsService, SharedSegmentsService, PoolRevealsService, CopyRevealJob, ContactProvenanceMergeStep],
  exports: [PoolsService, SharedSegmentsService, PoolRevealsService],
})
export class PoolsModule {}

/** What the API serves of pools: the GraphQL resolvers. */
@Module({
  imports: [PoolsModule],
  providers: [
    PoolsResolver,
    PoolLoaders,
    SharedSegmentsResolver,
    PoolRevealsResolver,
    SharedSegmentRevealsResolver,
    ContactProvenanceResolver,
  ],
})
export class PoolsApiModule {}
