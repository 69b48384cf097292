/**
 * A failure a check found itself (not an exception from a driver), with a code explain() knows.
 * No imports on purpose: the dependency check uses it when third-party modules may be missing.
 */
export class CheckFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CheckFailure';
  }
}
