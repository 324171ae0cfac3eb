import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { JOB_HANDLER, type JobHandlerContract } from './job-handler.js';
import { JobName } from './job-name.enum.js';

/** Every @JobHandler provider, by job name. */
@Injectable()
export class JobHandlersRegistry implements OnApplicationBootstrap {
  private readonly handlers = new Map<string, JobHandlerContract<unknown>>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const found: [string, JobHandlerContract<unknown>][] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype;
      const name =
        type && typeof type === 'function' ? this.reflector.get<string | undefined>(JOB_HANDLER, type) : undefined;
      if (name && wrapper.instance) found.push([name, wrapper.instance as JobHandlerContract<unknown>]);
    }
    for (const [name, handler] of checkHandlers(found, Object.values(JobName))) this.handlers.set(name, handler);
  }

  get(name: string): JobHandlerContract<unknown> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`No handler for job "${name}"`);
    return handler;
  }
}

/** The worker refuses to start when a job name has no handler, or two, or a handler names no known job. */
export function checkHandlers<H>(found: readonly [string, H][], names: readonly string[]): Map<string, H> {
  const problems: string[] = [];
  const byName = new Map<string, H>();
  for (const [name, handler] of found) {
    if (!names.includes(name)) problems.push(`a handler names the unknown job "${name}"`);
    else if (byName.has(name)) problems.push(`job "${name}" has two handlers`);
    else byName.set(name, handler);
  }
  for (const name of names) if (!byName.has(name)) problems.push(`job "${name}" has no handler`);
  if (problems.length) throw new Error(`Job handlers are wrong: ${problems.join('; ')}`);
  return byName;
}
