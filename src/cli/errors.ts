// Failures a user can act on. main() prints their message (never a stack trace) and exits with
// their code: 1 for an invalid spec, drift or a refused write, 2 for a wrong invocation.

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}
