import { ID, Mutation, Query, Resolver, Args } from '@nestjs/graphql';
import { UuidPipe } from '@app/common';
import { RequireRole, Role } from '@app/tenancy';
import { TagModel } from './tag.model.js';
import { TagsService } from './tags.service.js';

@Resolver(() => TagModel)
export class TagsResolver {
  constructor(private readonly tags: TagsService) {}

  @Query(() => [TagModel], { name: 'tags', description: 'Every tag of the organization, by name (every role).' })
  @RequireRole(Role.ANALYST)
  listTags(): Promise<TagModel[]> {
    return this.tags.list();
  }

  @Mutation(() => TagModel, { description: 'Deletes the tag and removes it from every contact (EDITOR and up).' })
  @RequireRole(Role.EDITOR)
  deleteTag(@Args('id', { type: () => ID, description: 'The tag id.' }, UuidPipe) id: string): Promise<TagModel> {
    return this.tags.remove(id);
  }
}
