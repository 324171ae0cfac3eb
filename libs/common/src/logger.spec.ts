import { describe, expect, it } from '@jest/globals';
import { logFormat } from './logger.js';

describe('logFormat', () => {
  it('pretty-prints on a terminal only, and never under a test runner', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'auto' }, true)).toBe('pretty');
    expect(logFormat({ NODE_ENV: 'test' }, true)).toBe('json');
  });

  it('follows LOG_FORMAT when it names a format', () => {
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });
});
