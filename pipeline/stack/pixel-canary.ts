import {Duration} from 'aws-cdk-lib'
import {Rule, Schedule} from 'aws-cdk-lib/aws-events'
import {LambdaFunction} from 'aws-cdk-lib/aws-events-targets'
import {Construct} from 'constructs'

import {CANARY_PIXEL_URL_ENV} from '../canary/canary-handler.js'
import {lambdaEntry} from './lambda-entry.js'
import {LoggedFunction} from './logged-function.js'

export interface PixelCanaryProps {
  /** The public pixel URL the canary requests, like a browser would. */
  readonly pixelUrl: string
  readonly interval: Duration
}

/**
 * A scheduled function that sends a `source: canary` hit through the real endpoint, so that
 * every healthy hour of the lake holds records and a gap means the pipeline was down, not quiet.
 * Its role has no permission beyond its own logs: it only makes an HTTPS request.
 */
export class PixelCanary extends Construct {
  public readonly canaryFunction: LoggedFunction
  public readonly schedule: Rule

  constructor(scope: Construct, id: string, props: PixelCanaryProps) {
    super(scope, id)
    this.canaryFunction = new LoggedFunction(this, 'Canary', {
      entry: lambdaEntry('canary/canary-handler'),
      description: 'pixel canary: requests the pixel through the real endpoint',
      timeout: Duration.seconds(15),
      memorySize: 128,
      environment: {[CANARY_PIXEL_URL_ENV]: props.pixelUrl},
    })
    this.schedule = new Rule(this, 'Schedule', {
      description: 'pixel canary: one hit through the real endpoint per interval',
      schedule: Schedule.rate(props.interval),
      // A missed beat is better than a late one counted in the wrong hour.
      targets: [new LambdaFunction(this.canaryFunction.function, {retryAttempts: 0})],
    })
  }
}
