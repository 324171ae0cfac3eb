import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('ApiKey', { description: 'An API key; its secret is shown once, when it is created.' })
export class ApiKeyModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => ID) userId!: string;
  @Field({ description: 'Non-secret part of the key, to recognize it.' }) prefix!: string;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field() createdAt!: Date;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyModel {
  @Field(() => ApiKeyModel) apiKey!: ApiKeyModel;
  @Field({ description: 'The key to send as `Authorization: Bearer <token>`. Shown only now.' }) token!: string;
}
