import {describe, expect, it} from 'vitest'
import {athenaTargetFor, awsOptionsFor, endpointFor, minutesLabel, parseMinutes} from './flags.js'

describe('endpointFor', () => {
  const S3_FLAG = 'http://s3-flag'
  const FIREHOSE_FLAG = 'http://firehose-flag'
  const ALL_FLAG = 'http://all-flag'
  const env = {AWS_ENDPOINT_URL_S3: 'http://s3-env', AWS_ENDPOINT_URL_FIREHOSE: 'http://firehose-env', AWS_ENDPOINT_URL: 'http://all-env'}
  const config = {endpointUrl: 'http://config'}

  describe.each([
    {given: 'every source', flags: {'s3-endpoint-url': S3_FLAG, 'firehose-endpoint-url': FIREHOSE_FLAG, 'endpoint-url': ALL_FLAG}, env, s3: S3_FLAG, firehose: FIREHOSE_FLAG},
    {given: '--endpoint-url and the environment', flags: {'endpoint-url': ALL_FLAG}, env, s3: ALL_FLAG, firehose: ALL_FLAG},
    {given: 'one service\'s flag and --endpoint-url', flags: {'firehose-endpoint-url': FIREHOSE_FLAG, 'endpoint-url': ALL_FLAG}, env: {}, s3: ALL_FLAG, firehose: FIREHOSE_FLAG},
    {given: 'the SDK\'s variables only', flags: {}, env, s3: 'http://s3-env', firehose: 'http://firehose-env'},
    {given: 'AWS_ENDPOINT_URL only', flags: {}, env: {AWS_ENDPOINT_URL: 'http://all-env'}, s3: 'http://all-env', firehose: 'http://all-env'},
    {given: 'the config file only', flags: {}, env: {}, s3: 'http://config', firehose: 'http://config'},
  ])('given $given', ({flags, env, s3, firehose}) => {
    it('picks the most specific endpoint for each service', () => {
      expect(endpointFor('s3', flags, config, env)).toBe(s3)
      expect(endpointFor('firehose', flags, config, env)).toBe(firehose)
    })
  })

  it('gives SNS --endpoint-url or its own variable, never another service\'s flag', () => {
    expect(endpointFor('sns', {'s3-endpoint-url': S3_FLAG, 'firehose-endpoint-url': FIREHOSE_FLAG}, {}, {AWS_ENDPOINT_URL_SNS: 'http://sns-env', AWS_ENDPOINT_URL: 'http://all-env'})).toBe('http://sns-env')
    expect(endpointFor('sns', {'firehose-endpoint-url': FIREHOSE_FLAG, 'endpoint-url': ALL_FLAG}, {}, {AWS_ENDPOINT_URL_SNS: 'http://sns-env'})).toBe(ALL_FLAG)
    expect(endpointFor('sns', {'firehose-endpoint-url': FIREHOSE_FLAG}, config, env)).toBe('http://all-env')
  })

  it('leaves the endpoint to AWS when nothing names one', () => {
    expect(endpointFor('s3', {}, {}, {})).toBeUndefined()
    expect(endpointFor('firehose', {'endpoint-url': ''}, {}, {AWS_ENDPOINT_URL: ''})).toBeUndefined()
  })
})

describe('awsOptionsFor', () => {
  it('takes the profile and region from the flags, else from the config file unless the SDK\'s variables set them', () => {
    const config = {profile: 'team', region: 'eu-west-1'}
    expect(awsOptionsFor('s3', {profile: 'mine', region: 'us-east-2'}, config, {AWS_PROFILE: 'env'})).toEqual({profile: 'mine', region: 'us-east-2', endpointUrl: undefined})
    expect(awsOptionsFor('s3', {}, config, {})).toEqual({profile: 'team', region: 'eu-west-1', endpointUrl: undefined})
    expect(awsOptionsFor('s3', {}, config, {AWS_PROFILE: 'env', AWS_REGION: 'ap-south-1'})).toEqual({profile: undefined, region: undefined, endpointUrl: undefined})
  })
})

describe('durations', () => {
  it.each([
    ['15', 15],
    ['90s', 1.5],
    ['15m', 15],
    ['2h', 120],
    ['1h30m', 90],
  ])('reads %j as %d minutes', (input, minutes) => {
    expect(parseMinutes(input, '--late-after')).toBe(minutes)
  })

  it.each(['', 'soon', '1d', '-5m'])('refuses %j naming the flag', (input) => {
    expect(() => parseMinutes(input, '--late-after')).toThrow(/^--late-after ".*" is not a duration/)
  })

  it.each([
    [60, '60m'],
    [1, '1m'],
    [1.5, '90s'],
  ])('labels %d minutes %j, a value the flag reads back', (minutes, label) => {
    expect(minutesLabel(minutes)).toBe(label)
    expect(parseMinutes(label, '--x')).toBe(minutes)
  })
})

describe('endpointFor athena', () => {
  it('takes --endpoint-url, then AWS_ENDPOINT_URL_ATHENA, then AWS_ENDPOINT_URL, never another service\'s own flag', () => {
    expect(endpointFor('athena', {'endpoint-url': 'http://all', 's3-endpoint-url': 'http://s3'}, {}, {AWS_ENDPOINT_URL_ATHENA: 'http://athena-env'})).toBe('http://all')
    expect(endpointFor('athena', {'s3-endpoint-url': 'http://s3'}, {}, {AWS_ENDPOINT_URL_ATHENA: 'http://athena-env', AWS_ENDPOINT_URL: 'http://all-env'})).toBe('http://athena-env')
    expect(endpointFor('athena', {'s3-endpoint-url': 'http://s3'}, {endpointUrl: 'http://config'}, {})).toBe('http://config')
  })
})

describe('athenaTargetFor', () => {
  const whole = {workgroup: 'Pixel', database: 'pixel', table: 'events_lines'}

  it('takes each of workgroup, database and table from its flag, else from the config file\'s athena section', () => {
    expect(athenaTargetFor({workgroup: 'Flagged'}, {athena: whole})).toEqual({...whole, workgroup: 'Flagged'})
    expect(athenaTargetFor(whole)).toEqual(whole)
  })

  describe.each([
    ['workgroup', 'AthenaWorkGroup'],
    ['database', 'AthenaDatabase'],
    ['table', 'AthenaRawTable'],
  ])('without --%s', (name, output) => {
    it(`says in one line to copy the stack's ${output} output`, () => {
      const given = {...whole, [name]: undefined}
      expect(() => athenaTargetFor(given, {athena: {}})).toThrow(
        new RegExp(`^--engine athena needs --${name}: copy it from the stack's ${output} output, or set "athena": \\{"${name}": "\\.\\.\\."\\} in the config file$`),
      )
    })
  })
})
