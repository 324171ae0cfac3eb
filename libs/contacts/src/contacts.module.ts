import { Module } from '@nestjs/common';
import { AttributesResolver } from './attributes/attributes.resolver.js';
import { AttributesService } from './attributes/attributes.service.js';
import { ConsentsService } from './consent/consents.service.js';
import { ContactLoaders } from './contacts/contact-loaders.js';
import { ContactConnectionResolver, ContactsResolver } from './contacts/contacts.resolver.js';
import { ContactsService } from './contacts/contacts.service.js';
import { TagsResolver } from './tags/tags.resolver.js';
import { TagsService } from './tags/tags.service.js';

/** Contacts with their tags, consent, external ids and custom attributes. */
@Module({
  providers: [
    AttributesService,
    ConsentsService,
    TagsService,
    ContactsService,
    ContactLoaders,
    AttributesResolver,
    TagsResolver,
    ContactsResolver,
    ContactConnectionResolver,
  ],
  exports: [ContactsService, ConsentsService, TagsService, AttributesService],
})
export class ContactsModule {}
