/** A problem the operator can fix; the CLI prints the message alone, without a stack trace. */
export class StackError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'StackError';
  }
}
