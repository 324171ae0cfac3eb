import { Args, Float, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AppError, isUuid } from '@app/common';
import { JobName, JobRunModel, JobsService } from '@app/jobs';
import { RequireRole, Role } from '@app/tenancy';
import { DedupSettingsService } from './dedup-settings.service.js';
import {
  type DedupRunParams,
  DedupScope,
  DedupSettingsInput,
  DedupSettingsModel,
  DuplicateCandidateConnectionModel,
  DuplicateStatus,
} from './dedup.models.js';
import { DuplicatesService } from './duplicates.service.js';

const MAX_PAGE = 200;
const MAX_CONTACT_IDS = 10_000;

@Resolver()
export class DedupResolver {
  constructor(
    private readonly jobs: JobsService,
    private readonly duplicates: DuplicatesService,
    private readonly settings: DedupSettingsService,
  ) {}

  @Mutation(() => JobRunModel, {
    description:
      'Looks for duplicates as a job: ALL compares every contact (and learns the match parameters); CHANGED_SINCE (with since) ' +
      'and CONTACT_IDS (with contactIds) compare those contacts with every contact. Pairs at or above the review threshold ' +
      'join the review queue; with autoMerge, clusters at or above the auto-merge threshold are merged. EDITOR and up.',
  })
  @RequireRole(Role.EDITOR)
  startDedupRun(
    @Args('scope', {
      type: () => DedupScope,
      defaultValue: DedupScope.ALL,
      description: 'Which contacts to compare with every contact.',
    })
    scope: DedupScope,
    @Args('autoMerge', {
      type: () => Boolean,
      defaultValue: false,
      description: 'Also merge the clusters at or above the auto-merge threshold.',
    })
    autoMerge: boolean,
    @Args('since', {
      type: () => Date,
      nullable: true,
      description: 'For CHANGED_SINCE: contacts changed at or after this time.',
    })
    since: Date | null,
    @Args('contactIds', {
      type: () => [ID],
      nullable: true,
      description: 'For CONTACT_IDS: the contacts (at most 10,000).',
    })
    contactIds: string[] | null,
  ): Promise<JobRunModel> {
    if (scope === DedupScope.CHANGED_SINCE && !since) throw AppError.badInput('since', 'CHANGED_SINCE needs since');
    if (scope === DedupScope.CONTACT_IDS) {
      if (!contactIds?.length) throw AppError.badInput('contactIds', 'CONTACT_IDS needs contactIds');
      if (contactIds.length > MAX_CONTACT_IDS)
        throw AppError.badInput('contactIds', `at most ${MAX_CONTACT_IDS} ids; use CHANGED_SINCE`);
      const bad = contactIds.findIndex((id) => !isUuid(id));
      if (bad >= 0) throw AppError.badInput(`contactIds.${bad}`, 'not a contact id');
    }
    const params: DedupRunParams = {
      scope,
      autoMerge,
      since: scope === DedupScope.CHANGED_SINCE ? since!.toISOString() : null,
      contactIds: scope === DedupScope.CONTACT_IDS ? contactIds : null,
    };
    return this.jobs.start(JobName.DEDUP_CONTACTS, params);
  }

  @Query(() => DuplicateCandidateConnectionModel, {
    description: 'The review queue: pairs that may be one person, highest score first (EDITOR and up).',
  })
  @RequireRole(Role.EDITOR)
  duplicateCandidates(
    @Args('status', {
      type: () => DuplicateStatus,
      defaultValue: DuplicateStatus.PENDING,
      description: 'Pending or dismissed pairs.',
    })
    status: DuplicateStatus,
    @Args('minScore', { type: () => Float, defaultValue: 0, description: 'Only pairs scoring at least this (0 to 1).' })
    minScore: number,
    @Args('first', { type: () => Int, defaultValue: 20, description: 'Pairs per page, 1 to 200.' }) first: number,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: 'The endCursor of the previous page; absent for the first page.',
    })
    after: string | null,
  ): Promise<DuplicateCandidateConnectionModel> {
    if (first < 1 || first > MAX_PAGE) throw AppError.badInput('first', `first must be between 1 and ${MAX_PAGE}`);
    return this.duplicates.list(status, minScore, first, after);
  }

  @Mutation(() => Int, {
    description:
      'These contacts are different people: no run proposes or merges any pair of them again unless the values compared change. Returns the pairs dismissed. EDITOR and up.',
  })
  @RequireRole(Role.EDITOR)
  dismissDuplicate(
    @Args('contactIds', { type: () => [ID], description: 'The contacts, 2 to 50, that are different people.' })
    contactIds: string[],
  ): Promise<number> {
    const bad = contactIds.findIndex((id) => !isUuid(id));
    if (bad >= 0) throw AppError.badInput(`contactIds.${bad}`, 'not a contact id');
    return this.duplicates.dismiss(contactIds);
  }

  @Query(() => DedupSettingsModel, { description: 'The deduplication thresholds (EDITOR and up).' })
  @RequireRole(Role.EDITOR)
  dedupSettings(): Promise<DedupSettingsModel> {
    return this.settings.read();
  }

  @Mutation(() => DedupSettingsModel, { description: 'Changes the deduplication thresholds (ADMIN and up).' })
  @RequireRole(Role.ADMIN)
  updateDedupSettings(
    @Args('input', { type: () => DedupSettingsInput, description: 'The thresholds to change.' })
    input: DedupSettingsInput,
  ): Promise<DedupSettingsModel> {
    return this.settings.update(input);
  }
}
