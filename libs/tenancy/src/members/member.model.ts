import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Role } from '../auth/role.enum.js';

@ObjectType('Member', { description: 'A user and their role in the current organization.' })
export class MemberModel {
  @Field(() => ID, { description: 'The user id, the same in every organization the user belongs to.' }) userId!: string;
  @Field({ description: "The user's email address, lowercased." }) email!: string;
  @Field(() => String, { nullable: true, description: "This organization's name for the member." }) name!:
    string | null;
  @Field(() => Role, { description: 'What the member may do here (see Role).' }) role!: Role;
  @Field({ description: 'When the user became a member (UTC).' }) createdAt!: Date;
}
