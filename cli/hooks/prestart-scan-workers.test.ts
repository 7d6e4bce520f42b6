import {availableParallelism} from 'node:os'
import {describe, expect, it} from 'vitest'
import {workersFor} from './prestart-scan-workers.js'

const perCore = availableParallelism()

describe('workersFor', () => {
  describe.each<[string, string[], number]>([
    ['one per core by default', ['--lake', 'lake', '--day', '2026-02-10'], perCore],
    ['--concurrency N', ['--lake', 'lake', '--concurrency', '3'], 3],
    ['--concurrency=N', ['--concurrency=5', '--lake', 'lake'], 5],
    ['--concurrency 0, which scans in one thread', ['--concurrency', '0'], 0],
    ['a --concurrency that is not a count (the parse reports it)', ['--concurrency', 'lots'], 0],
    ['--engine local', ['--engine', 'local', '--concurrency', '2'], 2],
    ['--engine duckdb, which scans nothing here', ['--engine', 'duckdb'], 0],
    ['--engine=athena', ['--engine=athena'], 0],
    ['--help', ['--lake', 'lake', '--help'], 0],
    ['-h', ['-h'], 0],
    ['a flag after --, which is an argument', ['--', '--engine', 'duckdb'], perCore],
  ])('with %s', (_, argv, expected) => {
    it(`starts ${expected} workers`, () => {
      expect(workersFor(argv)).toBe(expected)
    })
  })
})
