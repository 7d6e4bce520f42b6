import {RemovalPolicy} from 'aws-cdk-lib'
import {LogGroup, RetentionDays} from 'aws-cdk-lib/aws-logs'
import type {Construct} from 'constructs'

/** How long every log group of the stack keeps its logs: one setting for all of them. */
export const LOG_RETENTION = RetentionDays.ONE_MONTH

/**
 * A log group of the stack, kept LOG_RETENTION and deleted with the stack (the lake holds the
 * data; logs are for the weeks after an incident).
 *
 * @example const logs = stackLogGroup(this, 'AccessLogs')
 */
export function stackLogGroup(scope: Construct, id: string): LogGroup {
  return new LogGroup(scope, id, {retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY})
}
