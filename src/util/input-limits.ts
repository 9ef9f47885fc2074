// The bounds on what TypeScript reads from users' files, in one place (the core's are native/core/util/input_limits.h;
// docs/untrusted-inputs.md lists both).

/** Larger than any config, labels CSV or results.json we write (Node's longest string is about twice this). */
export const MAX_TEXT_INPUT_BYTES = 256 * 1024 * 1024;
/** More classes than any histology task has; the per-class tables and confusion matrices grow with its square. */
export const MAX_RESULT_CLASSES = 1000;
/** Ten times the default 10,000: the bootstrap's time and memory grow with it (10^9 exhausted Node's heap). */
export const MAX_BOOTSTRAP_RESAMPLES = 100_000;
