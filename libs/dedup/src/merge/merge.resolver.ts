import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { UuidPipe } from '@app/common';
import { RequireRole, Role } from '@app/tenancy';
import { ContactMergeModel } from './contact-merge.model.js';
import { MergeContactsArgs } from './merge-contacts.args.js';
import { MergeService } from './merge.service.js';

@Resolver(() => ContactMergeModel)
export class MergeResolver {
  constructor(private readonly merges: MergeService) {}

  @Mutation(() => ContactMergeModel, {
    description:
      'Merges contacts into the survivor: it takes their tags, external ids and consent records (a withdrawal stays a withdrawal), ' +
      'and they are deleted. Undo with unmergeContacts. EDITOR and up.',
  })
  @RequireRole(Role.EDITOR)
  mergeContacts(@Args() args: MergeContactsArgs): Promise<ContactMergeModel> {
    return this.merges.merge({
      survivorId: args.survivorId,
      mergedIds: args.mergedIds,
      fieldChoices: args.fieldChoices,
    });
  }

  @Mutation(() => ContactMergeModel, {
    description:
      'Undoes a merge: the merged contacts come back exactly as they were; the survivor gets back its values, except those edited since. ' +
      'A deduplication run will not merge these contacts again. EDITOR and up.',
  })
  @RequireRole(Role.EDITOR)
  unmergeContacts(
    @Args('mergeId', { type: () => ID, description: 'The merge id (ContactMerge.id).' }, UuidPipe) mergeId: string,
  ): Promise<ContactMergeModel> {
    return this.merges.unmerge(mergeId);
  }

  @Query(() => [ContactMergeModel], {
    description:
      'The merges a contact took part in, as survivor or merged, newest first (undone ones too); every role.',
  })
  @RequireRole(Role.ANALYST)
  mergeHistory(
    @Args(
      'contactId',
      { type: () => ID, description: 'The contact id, of a survivor or of a merged contact.' },
      UuidPipe,
    )
    contactId: string,
  ): Promise<ContactMergeModel[]> {
    return this.merges.history(contactId);
  }
}
