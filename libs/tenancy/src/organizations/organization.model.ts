import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Organization', { description: 'An organization (tenant): its contacts, members and keys are its own.' })
export class OrganizationModel {
  @Field(() => ID, { description: 'The organization id.' }) id!: string;
  @Field({ description: 'Its display name.' }) name!: string;
  @Field({ description: 'When it was created (UTC).' }) createdAt!: Date;
}
