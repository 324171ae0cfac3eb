import { Field, Float, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('MergeFieldSource', { description: 'Which contact a field of the survivor took its value from.' })
export class MergeFieldSourceModel {
  @Field({ description: 'A contact field (`email`, `firstName`...) or a custom attribute (`attributes.<key>`).' })
  field!: string;
  @Field(() => ID, { description: 'The contact whose value it took: the survivor or one of the merged contacts.' })
  contactId!: string;
}

@ObjectType('ContactMerge', {
  description: 'Contacts merged into one (the survivor); undoing it restores them exactly.',
})
export class ContactMergeModel {
  @Field(() => ID, { description: 'The merge id, for unmergeContacts.' }) id!: string;
  @Field(() => ID, { description: 'The contact that remains, with the values chosen field by field.' })
  survivorId!: string;
  @Field(() => [ID], { description: 'The contacts merged into the survivor and deleted (until the merge is undone).' })
  mergedIds!: string[];
  @Field(() => [MergeFieldSourceModel], { description: 'Where each field of the survivor came from, by field name.' })
  fieldSources!: MergeFieldSourceModel[];
  @Field({ description: 'Merged by a deduplication run rather than by a person.' }) automatic!: boolean;
  @Field(() => Float, { nullable: true, description: 'The match score of the pair, when a run found it.' }) score!:
    number | null;
  @Field({ description: 'When the contacts were merged (UTC).' }) createdAt!: Date;
  @Field(() => ID, {
    nullable: true,
    description: 'The member who merged, or who started the run that merged automatically.',
  })
  createdBy!: string | null;
  @Field(() => Date, { nullable: true, description: 'When the merge was undone (UTC); null while it holds.' })
  undoneAt!: Date | null;
  @Field(() => ID, { nullable: true, description: 'The member who undid it; null while it holds.' }) undoneBy!:
    string | null;
}
