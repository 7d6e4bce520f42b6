import {App, Validations} from 'aws-cdk-lib'
import {AwsSolutionsChecks} from 'cdk-nag'

import {PixelStack} from './stack/pixel-stack.js'
import type {PixelStackProps} from './stack/pixel-stack-props.js'

/** Context keys a deployer may set with `cdk deploy -c key=value`. */
export const PIXEL_CONTEXT = {
  stackName: 'pixel:stackName',
  clientIp: 'pixel:clientIp',
  databaseName: 'pixel:databaseName',
  alarmTopic: 'pixel:alarmTopic',
  ingest: 'pixel:ingest',
} as const

// Behaviour the stack relies on, set here rather than in cdk.json so tests get it too.
const FEATURE_FLAGS = {
  // Grant the S3 logging service through a bucket policy, not the legacy LogDeliveryWrite ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
}

export interface PixelAppOptions {
  /** Context for the app, as `-c` would give it. @default {} */
  readonly context?: Record<string, unknown>
  /** Props for the stack, over what the context says. @default {} */
  readonly stackProps?: PixelStackProps
  /** Run cdk-nag's AwsSolutions checks at synthesis. @default true */
  readonly nag?: boolean
  /** CDK's built-in CloudFormation validation (about 6 s); unit tests turn it off. @default true */
  readonly builtinCloudFormationValidation?: boolean
  /** Where the app synthesizes its cloud assembly. @default `cdk synth`'s output folder, else a new cdk.out* folder under the temporary one */
  readonly outdir?: string
}

/**
 * The CDK app with the pixel stack, importable by tests as well as run by `cdk synth`.
 *
 * @example
 * const {app, stack} = createPixelApp({context: {'aws:cdk:bundling-stacks': []}, builtinCloudFormationValidation: false})
 */
export function createPixelApp(options: PixelAppOptions = {}): {app: App; stack: PixelStack} {
  const app = new App({
    context: {...FEATURE_FLAGS, ...options.context},
    builtinCloudFormationValidation: options.builtinCloudFormationValidation,
    outdir: options.outdir,
  })
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  const stackName = (app.node.tryGetContext(PIXEL_CONTEXT.stackName) as string | undefined) ?? 'Pixel'
  // Context values are untrusted (any JSON from cdk.json, any string from -c): the stack's props
  // check them with the others, and throw once with every problem.
  const context = (key: string) => app.node.tryGetContext(key) as never
  const ingest = options.stackProps?.ingest ?? app.node.tryGetContext(PIXEL_CONTEXT.ingest)
  const stack = new PixelStack(app, stackName, {
    description: `pixel: tracking pixel endpoint, ${ingest === 'kinesis' ? 'Kinesis data stream and exactly-once consumer' : 'Firehose'}, S3 lake partitioned by event hour, Athena table, canary and alarms`,
    clientIp: context(PIXEL_CONTEXT.clientIp),
    databaseName: context(PIXEL_CONTEXT.databaseName),
    alarmTopicArn: context(PIXEL_CONTEXT.alarmTopic),
    ingest: context(PIXEL_CONTEXT.ingest),
    ...options.stackProps,
  })
  return {app, stack}
}
