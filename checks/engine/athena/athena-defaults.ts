// Apart from athena-client.ts so that the CLI's flags can name the default without loading the
// AWS SDK (a local pixel check never needs it).

/** Queries in flight at once by default: queued queries count against the active-query quota too. */
export const DEFAULT_ATHENA_CONCURRENCY = 5
