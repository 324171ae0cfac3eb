import { Field, Float, ObjectType } from '@nestjs/graphql';
import { ContactModel } from '@app/contacts';
import { MatchEvidenceModel } from '../runs/dedup.models.js';

@ObjectType('PossibleDuplicate', { description: 'A contact that may be the same person as this one.' })
export class PossibleDuplicateModel {
  @Field(() => ContactModel, { description: 'The other contact.' }) contact!: ContactModel;
  @Field(() => Float, { description: 'Probability (0 to 1) that they are one person.' }) score!: number;
  @Field(() => [String], {
    description: 'The fields on which the two agree, at least in part (e.g. lastName, email, birthDate).',
  })
  matchingFields!: string[];
  @Field(() => [MatchEvidenceModel], {
    description: "Field by field, how the two compare (`a` is this contact's value, `b` the other's).",
  })
  evidence!: MatchEvidenceModel[];
}
