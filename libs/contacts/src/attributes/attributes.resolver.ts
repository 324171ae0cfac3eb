import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { TextPipe } from '@app/common';
import { RequireRole, Role } from '@app/tenancy';
import { AttributeDefinitionModel, DefineAttributeInput } from './attribute-definition.model.js';
import { AttributesService } from './attributes.service.js';

@Resolver(() => AttributeDefinitionModel)
export class AttributesResolver {
  constructor(private readonly attributes: AttributesService) {}

  @Query(() => [AttributeDefinitionModel], { description: 'The custom contact attributes, by key (every role).' })
  @RequireRole(Role.ANALYST)
  attributeDefinitions(): Promise<AttributeDefinitionModel[]> {
    return this.attributes.list();
  }

  @Mutation(() => AttributeDefinitionModel, {
    description: 'Defines a custom contact attribute (ADMIN and up; CONFLICT when the key exists).',
  })
  @RequireRole(Role.ADMIN)
  defineAttribute(
    @Args('input', { description: 'Key, label, type and choices.' }) input: DefineAttributeInput,
  ): Promise<AttributeDefinitionModel> {
    return this.attributes.define(input);
  }

  @Mutation(() => AttributeDefinitionModel, {
    description: 'Deletes the definition and every value contacts had for it (ADMIN and up).',
  })
  @RequireRole(Role.ADMIN)
  deleteAttributeDefinition(
    @Args('key', { description: "The attribute's key." }, new TextPipe(63)) key: string,
  ): Promise<AttributeDefinitionModel> {
    return this.attributes.remove(key);
  }
}
