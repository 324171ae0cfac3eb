import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { INPUT_LIMITS } from '@app/common';
import { MAX_MERGED_CONTACTS } from './merge.service.js';

@InputType({ description: "Overrides the default survivorship for one field: take this contact's value." })
export class MergeFieldChoiceInput {
  @Field({ description: 'A contact field (`email`, `firstName`...) or a custom attribute (`attributes.<key>`).' })
  @MaxLength(100)
  field!: string;
  @Field(() => ID, { description: 'The survivor or one of the merged contacts.' }) @IsUUID('all') contactId!: string;
}

@ArgsType()
export class MergeContactsArgs {
  @Field(() => ID, { description: 'The contact that remains.' }) @IsUUID('all') survivorId!: string;
  @Field(() => [ID], {
    description: 'The contacts merged into it (at most 50); they are deleted, and restored if the merge is undone.',
  })
  @IsArray()
  @ArrayMaxSize(MAX_MERGED_CONTACTS)
  @IsUUID('all', { each: true })
  mergedIds!: string[];
  @Field(() => [MergeFieldChoiceInput], {
    nullable: true,
    description: 'By default each field takes the most recently updated non-empty value (a tie goes to the survivor).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.values)
  @ValidateNested({ each: true })
  @Type(() => MergeFieldChoiceInput)
  fieldChoices?: MergeFieldChoiceInput[] | null;
}
