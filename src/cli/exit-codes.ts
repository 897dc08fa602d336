// The exit codes of every quarry command, one meaning each (README.md, "Exit codes"). A script can
// tell "found something" from "could not do what was asked" from "did it, but not with everything".

/** Ran with everything it was given; for hunt, found nothing or was not asked to fail on detections. */
export const EXIT_OK = 0;
/** Findings: validate rejected documents; hunt found detections and --fail-on-detection was given. */
export const EXIT_FINDINGS = 1;
/**
 * Usage or input error, nothing done: a bad option, a path that does not exist, no rule file, no rule
 * that can run, no input that can be read, an output that cannot be written.
 */
export const EXIT_UNUSABLE = 2;
/** Partial: it ran, but some rules, inputs or records could not be used (each is reported). */
export const EXIT_PARTIAL = 3;
/**
 * Interrupted (SIGINT or SIGTERM, 128 + 2 as shells report it): hunt kept what it had found beside
 * the earlier result (FILE.incomplete); stack removed its temporary database.
 */
export const EXIT_INTERRUPTED = 130;
