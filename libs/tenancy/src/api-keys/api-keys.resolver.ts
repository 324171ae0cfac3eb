import { Args, Field, ID, InputType, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IsDate, IsOptional, IsUUID, MaxLength, MinLength } from 'class-validator';
import { UuidPipe } from '@app/common';
import { RequireRole } from '../auth/auth.decorators.js';
import { Role } from '../auth/role.enum.js';
import { ApiKeyModel, CreatedApiKeyModel } from './api-key.model.js';
import { ApiKeysService } from './api-keys.service.js';

@InputType({ description: 'A new API key for a member.' })
export class CreateApiKeyInput {
  @Field(() => ID, { description: 'The member the key acts as.' }) @IsUUID() userId!: string;
  @Field({ description: 'A name to tell keys apart (1 to 200 characters).' })
  @MinLength(1)
  @MaxLength(200)
  name!: string;
  @Field(() => Date, {
    nullable: true,
    description: 'When the key stops working (UTC), in the future; null or absent: never.',
  })
  @IsOptional()
  @IsDate()
  expiresAt?: Date | null;
}

@Resolver(() => ApiKeyModel)
export class ApiKeysResolver {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Query(() => [ApiKeyModel], {
    name: 'apiKeys',
    description:
      'The API keys of the members, oldest first, revoked and expired ones included (ADMIN and up): every key for an OWNER; for an ADMIN, the keys of members below OWNER.',
  })
  @RequireRole(Role.ADMIN)
  listApiKeys(): Promise<ApiKeyModel[]> {
    return this.apiKeys.list();
  }

  @Mutation(() => CreatedApiKeyModel, {
    description:
      'Creates an API key for a member; its token is returned only here. Only an OWNER creates keys for an OWNER; ' +
      'a key an ADMIN creates for another member acts at most as ADMIN, even once that member is an OWNER.',
  })
  @RequireRole(Role.ADMIN)
  createApiKey(
    @Args('input', { description: 'The member, a name and an optional expiry.' }) input: CreateApiKeyInput,
  ): Promise<CreatedApiKeyModel> {
    return this.apiKeys.create(input.userId, input.name, input.expiresAt ?? null);
  }

  @Mutation(() => ApiKeyModel, {
    description: "Revokes an API key at once (ADMIN and up); only an OWNER revokes an OWNER's keys.",
  })
  @RequireRole(Role.ADMIN)
  revokeApiKey(@Args('id', { type: () => ID, description: 'The key id.' }, UuidPipe) id: string): Promise<ApiKeyModel> {
    return this.apiKeys.revoke(id);
  }
}
