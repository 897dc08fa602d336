/** A mistake in the command line: reported in one line with exit code 2. */
export class UsageError extends Error {}

/**
 * A destination that cannot be written (a missing folder, a folder, a full or read-only device):
 * reported in one line with exit code 2, like a usage error, never as a stack trace.
 */
export class OutputError extends Error {}
