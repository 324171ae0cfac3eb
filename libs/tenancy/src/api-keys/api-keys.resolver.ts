import { Args, Field, ID, InputType, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IsDate, IsOptional, IsUUID, MaxLength, MinLength } from 'class-validator';
import { UuidPipe } from '@app/common';
import { RequireRole } from '../auth/auth.decorators.js';
import { Role } from '../auth/role.enum.js';
import { ApiKeyModel, CreatedApiKeyModel } from './api-key.model.js';
import { ApiKeysService } from './api-keys.service.js';

@InputType()
export class CreateApiKeyInput {
  @Field(() => ID, { description: 'The member the key acts as.' }) @IsUUID() userId!: string;
  @Field() @MinLength(1) @MaxLength(200) name!: string;
  @Field(() => Date, { nullable: true }) @IsOptional() @IsDate() expiresAt?: Date | null;
}

@Resolver(() => ApiKeyModel)
export class ApiKeysResolver {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Query(() => [ApiKeyModel], { name: 'apiKeys', description: 'Every key, for an OWNER; for an ADMIN, the keys of members below OWNER.' })
  @RequireRole(Role.ADMIN)
  listApiKeys(): Promise<ApiKeyModel[]> {
    return this.apiKeys.list();
  }

  @Mutation(() => CreatedApiKeyModel, {
    description: 'Creates an API key for a member; its token is returned only here. Only an OWNER creates keys for an OWNER; '
      + 'a key an ADMIN creates for another member acts at most as ADMIN, even once that member is an OWNER.',
  })
  @RequireRole(Role.ADMIN)
  createApiKey(@Args('input') input: CreateApiKeyInput): Promise<CreatedApiKeyModel> {
    return this.apiKeys.create(input.userId, input.name, input.expiresAt ?? null);
  }

  @Mutation(() => ApiKeyModel, { description: "Only an OWNER revokes an OWNER's keys." })
  @RequireRole(Role.ADMIN)
  revokeApiKey(@Args('id', { type: () => ID }, UuidPipe) id: string): Promise<ApiKeyModel> {
    return this.apiKeys.revoke(id);
  }
}
