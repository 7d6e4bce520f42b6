import {Duration, Size} from 'aws-cdk-lib'
import {Match} from 'aws-cdk-lib/assertions'
import {describe, expect, it} from 'vitest'

import {InvalidStackPropsError} from '../errors.js'
import type {ClientIpMode} from '../handler/anonymise-ip.js'
import {synthPixelStack} from '../test-support/synth-pixel-stack.js'
import {type PixelStackProps, resolvePixelStackProps} from './pixel-stack-props.js'

function problemsOf(props: PixelStackProps): readonly string[] {
  try {
    resolvePixelStackProps(props)
  } catch (error) {
    if (error instanceof InvalidStackPropsError) return error.problems
    throw error
  }
  return []
}

describe('the stack props', () => {
  describe.each<[string, PixelStackProps, RegExp]>([
    ['a buffer below the dynamic partitioning minimum', {bufferingSize: Size.mebibytes(5)}, /bufferingSize/],
    ['a buffering interval below a minute', {bufferingInterval: Duration.seconds(30)}, /bufferingInterval/],
    ['a canary slower than every 5 minutes', {canaryInterval: Duration.minutes(10)}, /canaryInterval/],
    ['a Firehose wait that would stall pages', {firehoseTimeout: Duration.seconds(10)}, /firehoseTimeout/],
    ['an unknown IP mode', {clientIp: 'hash' as ClientIpMode}, /clientIp/],
    ['a Glue name with capitals', {tableName: 'Events'}, /tableName/],
    ['error retention in hours', {errorRetention: Duration.hours(36)}, /errorRetention/],
    ['a freshness alarm tighter than the buffer', {freshnessThreshold: Duration.seconds(90)}, /freshnessThreshold/],
  ])('with %s', (_name, props, problem) => {
    it('rejects the props, naming the problem', () => {
      expect(problemsOf(props)).toEqual([expect.stringMatching(problem)])
    })
  })

  it('reports every problem at once', () => {
    const problems = problemsOf({bufferingSize: Size.mebibytes(1), canaryInterval: Duration.hours(1), databaseName: 'my-db'})
    expect(problems).toHaveLength(3)
  })

  it('refuses to build a stack from invalid props', () => {
    expect(() => synthPixelStack({stackProps: {bufferingSize: Size.mebibytes(1)}})).toThrow(InvalidStackPropsError)
  })

  it('passes buffering hints, IP mode and canary interval through to the template', () => {
    const {template} = synthPixelStack({
      stackProps: {bufferingInterval: Duration.minutes(5), bufferingSize: Size.mebibytes(128), clientIp: 'omit', canaryInterval: Duration.minutes(1)},
    })
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({BufferingHints: {IntervalInSeconds: 300, SizeInMBs: 128}}),
    })
    template.hasResourceProperties('AWS::Lambda::Function', {Environment: {Variables: Match.objectLike({PIXEL_CLIENT_IP: 'omit'})}})
    template.hasResourceProperties('AWS::Events::Rule', {ScheduleExpression: 'rate(1 minute)'})
  })

  it('takes the IP mode from the app context', () => {
    const {template} = synthPixelStack({context: {'pixel:clientIp': 'full'}})
    template.hasResourceProperties('AWS::Lambda::Function', {Environment: {Variables: Match.objectLike({PIXEL_CLIENT_IP: 'full'})}})
  })
})
