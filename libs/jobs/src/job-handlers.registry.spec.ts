import { describe, expect, it } from '@jest/globals';
import { checkHandlers } from './job-handlers.registry.js';

describe('checkHandlers (the worker refuses to start on a wrong set of handlers)', () => {
  it('accepts exactly one handler per job name', () => {
    expect([
      ...checkHandlers(
        [
          ['a', 1],
          ['b', 2],
        ],
        ['a', 'b'],
      ).keys(),
    ]).toEqual(['a', 'b']);
  });

  it('refuses a job without a handler, a job with two, and a handler of an unknown job', () => {
    expect(() => checkHandlers([['a', 1]], ['a', 'b'])).toThrow('job "b" has no handler');
    expect(() =>
      checkHandlers(
        [
          ['a', 1],
          ['a', 2],
        ],
        ['a'],
      ),
    ).toThrow('job "a" has two handlers');
    expect(() =>
      checkHandlers(
        [
          ['a', 1],
          ['z', 2],
        ],
        ['a'],
      ),
    ).toThrow('unknown job "z"');
  });
});
