import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Role } from '../auth/role.enum.js';

@ObjectType('Member', { description: 'A user and their role in the current organization.' })
export class MemberModel {
  @Field(() => ID) userId!: string;
  @Field() email!: string;
  @Field(() => String, { nullable: true, description: "This organization's name for the member." }) name!: string | null;
  @Field(() => Role) role!: Role;
  @Field() createdAt!: Date;
}
