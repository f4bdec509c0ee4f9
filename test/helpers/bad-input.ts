import { expect } from 'vitest';
import { BadInputError } from '../../src/contract/errors.ts';

/** Runs `run`, expects it to throw the contract's BAD_USER_INPUT, and returns that error. */
export function expectBadInput(run: () => unknown): BadInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as BadInputError).code).toBe('BAD_USER_INPUT');
    return error as BadInputError;
  }
  throw new Error('expected a BadInputError');
}
