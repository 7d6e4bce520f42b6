import type {Duration} from 'aws-cdk-lib'
import {Role, ServicePrincipal} from 'aws-cdk-lib/aws-iam'
import {Architecture, Runtime} from 'aws-cdk-lib/aws-lambda'
import {NodejsFunction} from 'aws-cdk-lib/aws-lambda-nodejs'
import type {LogGroup} from 'aws-cdk-lib/aws-logs'
import {Construct} from 'constructs'

import {stackLogGroup} from './log-group.js'

export interface LoggedFunctionProps {
  /** The entry file, see `lambdaEntry`. */
  readonly entry: string
  readonly description: string
  readonly environment: Record<string, string>
  readonly timeout: Duration
  /** @default 256 */
  readonly memorySize?: number
}

/**
 * A Node.js function (current runtime, arm64, bundled by the local esbuild) with its own log
 * group and a role that may write to that log group and nothing else: no managed policy, so
 * every further permission is an explicit grant.
 */
export class LoggedFunction extends Construct {
  public readonly function: NodejsFunction
  public readonly logGroup: LogGroup
  public readonly role: Role

  constructor(scope: Construct, id: string, props: LoggedFunctionProps) {
    super(scope, id)
    this.logGroup = stackLogGroup(this, 'Logs')
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description}: writes its own logs, nothing else unless granted`,
    })
    this.logGroup.grantWrite(this.role)
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: {AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...props.environment},
      bundling: {
        minify: true,
        sourceMap: true,
        // Bundle the pinned SDK rather than the runtime's: the code runs with what it was tested with.
        externalModules: [],
        forceDockerBundling: false,
      },
    })
  }
}
