import { ERRORS, type ErrorCode, type Result } from '../errors.js';

/** An expected failure: printed as `error: <message>` with exit code 1, never with a stack. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/**
 * The value of a service `Result`, or a {@link CliError} with its message. `messages` replaces
 * the text for codes the command can say more precisely (for example which id was not found).
 */
export function expectOk<T>(result: Result<T>, messages: Partial<Record<ErrorCode, string>> = {}): T {
  if (result.ok) return result.value;
  throw new CliError(messages[result.code] ?? result.message ?? ERRORS[result.code].message);
}
