import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { JobName, JobRunModel, JobsService } from '@app/jobs';
import { RequireRole, Role } from '@app/tenancy';
import { ContactFilterInput } from '../contacts/contact.inputs.js';
import { ExportFormat, ExportOptionsInput, type ExportContactsParams } from './export.inputs.js';

@Resolver()
export class ExportsResolver {
  constructor(private readonly jobs: JobsService) {}

  @Mutation(() => JobRunModel, {
    description:
      'Exports the contacts matching the filter as a job (every role); when it has SUCCEEDED, download its downloadPath. ANALYST exports carry no direct identifiers.',
  })
  @RequireRole(Role.ANALYST)
  startExport(
    @Args('format', { type: () => ExportFormat, description: 'The file format.' }) format: ExportFormat,
    // optional, not `| null`: TypeScript emits `X | null` as Object, and the validation pipe would not see X's rules
    @Args('filter', {
      type: () => ContactFilterInput,
      nullable: true,
      description: 'Which contacts; every contact when absent.',
    })
    filter?: ContactFilterInput,
    @Args('options', {
      type: () => ExportOptionsInput,
      nullable: true,
      description: 'Format options (excel applies to CSV only).',
    })
    options?: ExportOptionsInput,
  ): Promise<JobRunModel> {
    const params: ExportContactsParams = {
      filter: filter ? { ...filter } : null,
      format,
      excel: format === ExportFormat.CSV && !!options?.excel,
    };
    return this.jobs.start(JobName.EXPORT_CONTACTS, params);
  }
}
