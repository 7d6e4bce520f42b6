/**
 * Runs the DuckDB audit of one day as a child of the benchmark and prints it as JSON:
 * `node dist/bench/duckdb-child.js <lake> <YYYY-MM-DD> <threads>`.
 */
import {duckdbAudit} from './duckdb-audit.js'

const [lake, day, threads] = process.argv.slice(2)
process.stdout.write(JSON.stringify(await duckdbAudit(lake, day, Number(threads ?? 2))) + '\n')
