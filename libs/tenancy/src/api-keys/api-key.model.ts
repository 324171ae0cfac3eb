import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('ApiKey', { description: 'An API key; its secret is shown once, when it is created.' })
export class ApiKeyModel {
  @Field(() => ID, { description: 'The key id.' }) id!: string;
  @Field({ description: 'A name to tell keys apart, e.g. "box-office sync".' }) name!: string;
  @Field(() => ID, { description: 'The member the key acts as.' }) userId!: string;
  @Field({ description: 'Non-secret part of the key, to recognize it.' }) prefix!: string;
  @Field(() => Date, { nullable: true, description: 'When the key stops working (UTC); null: never.' })
  expiresAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'When the key was revoked (UTC); null while it is not.' })
  revokedAt!: Date | null;
  @Field(() => Date, {
    nullable: true,
    description: 'When the key was last accepted (UTC), to within a minute; null: never used.',
  })
  lastUsedAt!: Date | null;
  @Field({ description: 'When the key was created (UTC).' }) createdAt!: Date;
}

@ObjectType('CreatedApiKey', { description: 'A new API key with its secret token, shown this once.' })
export class CreatedApiKeyModel {
  @Field(() => ApiKeyModel, { description: 'The key as apiKeys lists it.' }) apiKey!: ApiKeyModel;
  @Field({ description: 'The key to send as `Authorization: Bearer <token>`. Shown only now.' }) token!: string;
}
