import { type DynamicModule, Module } from '@nestjs/common';
import { importUploadProviders, type ImportLimits, ImportsModule } from '@app/imports';
import { AttributesResolver } from './attributes/attributes.resolver.js';
import { AttributesService } from './attributes/attributes.service.js';
import { ConsentsService } from './consent/consents.service.js';
import { ContactDuplicates } from './contacts/contact-duplicates.js';
import { ContactLoaders } from './contacts/contact-loaders.js';
import { ContactConnectionResolver, ContactsResolver } from './contacts/contacts.resolver.js';
import { ContactLookupService } from './contacts/contact-lookup.service.js';
import { ContactsService } from './contacts/contacts.service.js';
import { ContactExportReader } from './export/contact-export.reader.js';
import { ExportContactsJob } from './export/export-contacts.job.js';
import { ExportsController } from './export/exports.controller.js';
import { ExportsResolver } from './export/exports.resolver.js';
import { ImportContactsJob } from './import/import-contacts.job.js';
import { ImportsController } from './import/imports.controller.js';
import { ConsentsMergeStep, ContactExternalIdsMergeStep, ContactTagsMergeStep } from './merge/contacts.merge-steps.js';
import { TagsResolver } from './tags/tags.resolver.js';
import { TagsService } from './tags/tags.service.js';

/** Contacts with their tags, consent, external ids and custom attributes; their jobs (export, import). */
@Module({
  imports: [ImportsModule],
  providers: [
    AttributesService,
    ConsentsService,
    TagsService,
    ContactsService,
    ContactLookupService,
    ContactDuplicates,
    ContactExportReader,
    ExportContactsJob,
    ImportContactsJob,
    ContactTagsMergeStep,
    ContactExternalIdsMergeStep,
    ConsentsMergeStep,
  ],
  exports: [ContactsService, ContactLookupService, ContactDuplicates, ConsentsService, TagsService, AttributesService],
})
export class ContactsModule {}

/** What the API serves of contacts: GraphQL resolvers, the export download and the import upload. */
@Module({})
export class ContactsApiModule {
  static forRoot(limits: ImportLimits): DynamicModule {
    return {
      module: ContactsApiModule,
      imports: [ContactsModule],
      providers: [
        ContactLoaders,
        AttributesResolver,
        TagsResolver,
        ContactsResolver,
        ContactConnectionResolver,
        ExportsResolver,
        ...importUploadProviders(limits),
      ],
      controllers: [ExportsController, ImportsController],
    };
  }
}
