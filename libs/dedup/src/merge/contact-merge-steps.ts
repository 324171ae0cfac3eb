import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { CONTACT_MERGE_STEP, type ContactMergeStepContract } from '@app/contacts';

/**
 * Every @ContactMergeStep provider of the application: what each context does to its own rows when contacts are
 * merged and when a merge is undone (ContactMergeStepContract in @app/contacts). A context adds its step by declaring
 * one in its module's providers; dedup knows none of them.
 */
@Injectable()
export class ContactMergeSteps implements OnApplicationBootstrap {
  private found: ContactMergeStepContract[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const steps = new Map<unknown, ContactMergeStepContract>();
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype;
      if (
        typeof type !== 'function' ||
        !wrapper.instance ||
        !this.reflector.get<boolean | undefined>(CONTACT_MERGE_STEP, type)
      )
        continue;
      // a module imported in two places is one instance; a class provided twice is still one step
      if (!steps.has(type)) steps.set(type, wrapper.instance as ContactMergeStepContract);
    }
    this.found = checkSteps([...steps.values()]);
  }

  /** The steps, in the order of their snapshot paths (any order would do: each touches its own tables). */
  all(): readonly ContactMergeStepContract[] {
    return this.found;
  }
}

/** Two steps keeping their snapshots at the same place, or one at a place the merge keeps for itself, are a bug. */
export function checkSteps(steps: ContactMergeStepContract[]): ContactMergeStepContract[] {
  const paths = steps.map((step) => step.snapshotPath.join('.'));
  const problems = paths.filter(
    (path, i) =>
      !path || path === 'contacts' || paths.indexOf(path) !== i || paths.some((other) => other.startsWith(`${path}.`)),
  );
  if (problems.length)
    throw new Error(`Contact merge steps are wrong: their snapshots collide at ${[...new Set(problems)].join(', ')}`);
  return steps
    .map((step, i) => ({ step, path: paths[i] }))
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map(({ step }) => step);
}
