/**
 * Preloaded into every measured Node child (`node --import …/child-rss.js`): at exit it writes the
 * process's peak resident set, in KB, to the file BENCH_RSS_FILE names. resourceUsage() counts
 * every thread of the process (worker threads, DuckDB's own), and needs nothing installed.
 */
import {writeFileSync} from 'node:fs'
import {isMainThread} from 'node:worker_threads'

const file = process.env.BENCH_RSS_FILE
if (file && isMainThread) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)))
