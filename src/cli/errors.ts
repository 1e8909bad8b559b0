/**
 * Exit codes and the one-line error the CLI prints for a user mistake.
 */

/** Exit statuses of `barmap`. */
export const EXIT = {
  /** The run finished and every `expect` held. */
  ok: 0,
  /** The run finished but an `expect` failed, or it deadlocked. */
  failed: 1,
  /** Bad command line, file or scenario: one line on stderr says what to fix. */
  usage: 2,
  /** The model broke (a bug in barmap or in a design). */
  internal: 3,
  /**
   * The work asked for was not all done — a search cut by --max-states or
   * Ctrl-C, or jobs not run — and nothing else failed: what was found is
   * printed, marked incomplete, but it is not the whole answer.
   */
  incomplete: 4,
} as const;

/** A mistake of the user's: printed as one line, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A message as one line: line breaks (from a parser or the OS) become spaces. */
export function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
