// The issues of a ConfigError, for the config tests (fails the test if something else, or nothing, is thrown).
import { expect } from 'vitest';
import { ConfigError } from '../../../../src-main/services/train';

export function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}
