import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { AppError, ErrorCode } from '@app/common';
import { ContactModel } from '@app/contacts';
import { Caller, hasRole, type RequestCaller, Role } from '@app/tenancy';
import { DuplicateFinder, MAX_POSSIBLE_DUPLICATES } from './duplicate-finder.service.js';
import { PossibleDuplicateModel } from './possible-duplicate.model.js';

/** Deduplication's field on a contact (here, not in contacts: dedup depends on contacts, not the reverse). */
@Resolver(() => ContactModel)
export class PossibleDuplicatesResolver {
  constructor(private readonly finder: DuplicateFinder) {}

  @ResolveField(() => [PossibleDuplicateModel], {
    description:
      `Contacts that may be the same person, from their stored match keys: those scoring at or above the review ` +
      `threshold, pairs dismissed left out, most likely first, at most ${MAX_POSSIBLE_DUPLICATES} (EDITOR and up).`,
  })
  possibleDuplicates(
    @Parent() contact: ContactModel,
    @Caller() caller: RequestCaller,
  ): Promise<PossibleDuplicateModel[]> {
    if (!hasRole(caller.role, Role.EDITOR))
      throw new AppError(ErrorCode.FORBIDDEN, `This operation needs the ${Role.EDITOR} role or higher`);
    // one batch for a page of contacts
    return caller
      .loader<string, PossibleDuplicateModel[]>('dedup.possibleDuplicates', (ids) =>
        this.finder.possibleDuplicates(ids),
      )
      .load(contact.id);
  }
}
