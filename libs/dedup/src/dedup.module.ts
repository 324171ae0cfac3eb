import { Module } from '@nestjs/common';
import { ContactsModule } from '@app/contacts';

/** Deduplication: matching runs (a job), the review queue, merges and their undo. */
@Module({
  imports: [ContactsModule],
  providers: [],
  exports: [],
})
export class DedupModule {}

/** What the API serves of deduplication: its GraphQL resolvers. */
@Module({
  imports: [DedupModule],
  providers: [],
})
export class DedupApiModule {}
