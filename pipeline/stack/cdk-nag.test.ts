import {Validations} from 'aws-cdk-lib'
import {AwsSolutionsChecks} from 'cdk-nag'
import type {IConstruct} from 'constructs'
import {beforeAll, describe, expect, it} from 'vitest'

import {synthPixelStack} from '../test-support/synth-pixel-stack.js'
import type {PixelStack} from './pixel-stack.js'

interface Acknowledgement {
  readonly path: string
  readonly id: string
  readonly reason: string
}


function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  )
}

/** Every AwsSolutions finding, acknowledged or not, by rule id and construct path. */
function allFindings(root: IConstruct): {ruleName: string; paths: string[]}[] {
  const checks = new AwsSolutionsChecks(root)
  // Seeing the acknowledged findings too is what proves that no acknowledgement is stale.
  ;(checks as unknown as {isAcknowledged: () => boolean}).isAcknowledged = () => false
  return checks.validateScope(root).violations.map((violation) => ({
    ruleName: violation.ruleName,
    paths: violation.violatingResources.map((resource) => resource.constructPath ?? ''),
  }))
}

describe.each([
  ['the Firehose ingest', {}],
  ['the Kinesis ingest', {'pixel:ingest': 'kinesis'}],
])("cdk-nag's AwsSolutions checks on %s", (_shape, context) => {
  let stack: PixelStack

  beforeAll(() => {
    ;({stack} = synthPixelStack({context}))
  })

  it('leave no finding unanswered', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack)
    expect(report.violations.map((violation) => `${violation.ruleName} ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([])
  })

  it('find something on purpose, so the run above is not vacuous', () => {
    expect(allFindings(stack).map((finding) => finding.ruleName)).toContain('AwsSolutions-APIG4')
  })

  it('give every acknowledgement a reason of substance', () => {
    const acks = acknowledgements(stack)
    expect(acks.length).toBeGreaterThan(0)
    for (const ack of acks) expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(40)
  })

  it('acknowledge only findings that really occur, under the acknowledging construct', () => {
    const findings = allFindings(stack)
    const stale = acknowledgements(stack)
      .filter((ack) => ack.id.startsWith('AwsSolutions-'))
      .filter((ack) => !findings.some((finding) => finding.ruleName === ack.id && finding.paths.some((path) => path.startsWith(ack.path))))
    expect(stale).toEqual([])
  })
})
