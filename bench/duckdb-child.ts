/**
 * Runs the DuckDB audit of one day as a child of the benchmark and prints it as JSON:
 * `node dist/bench/duckdb-child.js <lake> <YYYY-MM-DD> <threads> [pixel|team]`.
 */
import {duckdbAudit, duckdbTeamAudit} from './duckdb-audit.js'

const [lake, day, threads, kind] = process.argv.slice(2)
const audit = kind === 'team' ? await duckdbTeamAudit(lake, day, Number(threads ?? 2)) : await duckdbAudit(lake, day, Number(threads ?? 2))
process.stdout.write(JSON.stringify(audit) + '\n')
