import {Duration, Validations} from 'aws-cdk-lib'
import {AccessLogFormat} from 'aws-cdk-lib/aws-apigateway'
import {HttpApi, HttpMethod, HttpStage, LogGroupLogDestination} from 'aws-cdk-lib/aws-apigatewayv2'
import {HttpLambdaIntegration} from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import type {IStream} from 'aws-cdk-lib/aws-kinesis'
import type {IDeliveryStream} from 'aws-cdk-lib/aws-kinesisfirehose'
import {Construct} from 'constructs'

import type {ClientIpMode} from '../handler/anonymise-ip.js'
import {HANDLER_ENV} from '../handler/handler-environment.js'
import {HEALTH_PATH, PIXEL_PATH} from '../handler/pixel-handler.js'
import {lambdaEntry} from './lambda-entry.js'
import {stackLogGroup} from './log-group.js'
import {LoggedFunction} from './logged-function.js'

/** Where the pixel puts hits: a Firehose delivery stream, or a Kinesis data stream. */
export type PixelTarget = {readonly kind: 'firehose'; readonly stream: IDeliveryStream} | {readonly kind: 'kinesis'; readonly stream: IStream}

export interface PixelEndpointProps {
  readonly target: PixelTarget
  readonly clientIp: ClientIpMode
  readonly firehoseTimeout: Duration
  readonly throttleRateLimit: number
  readonly throttleBurstLimit: number
}

// Access logs name the request, never the client: no $context.identity.sourceIp, no user agent.
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
)

/** The public HTTP API and the pixel function behind it. */
export class PixelEndpoint extends Construct {
  public readonly pixelFunction: LoggedFunction
  public readonly api: HttpApi
  public readonly stage: HttpStage
  /** The URL to embed: `https://…/p.gif`. */
  public readonly pixelUrl: string
  public readonly healthUrl: string

  constructor(scope: Construct, id: string, props: PixelEndpointProps) {
    super(scope, id)
    this.pixelFunction = new LoggedFunction(this, 'Pixel', {
      entry: lambdaEntry('handler/pixel-handler'),
      description: `pixel: answers the tracking GIF and puts one record per hit into ${props.target.kind === 'kinesis' ? 'Kinesis' : 'Firehose'}`,
      // The handler answers within firehoseTimeout; the rest is room for a cold start.
      timeout: Duration.seconds(5),
      environment: {
        [HANDLER_ENV.streamName]: props.target.kind === 'kinesis' ? props.target.stream.streamName : props.target.stream.deliveryStreamName,
        ...(props.target.kind === 'kinesis' ? {[HANDLER_ENV.ingest]: 'kinesis'} : {}),
        [HANDLER_ENV.firehoseTimeoutMs]: String(props.firehoseTimeout.toMilliseconds()),
        [HANDLER_ENV.clientIp]: props.clientIp,
      },
    })
    if (props.target.kind === 'kinesis') props.target.stream.grant(this.pixelFunction.role, 'kinesis:PutRecord', 'kinesis:PutRecords')
    else props.target.stream.grantPutRecords(this.pixelFunction.role)

    this.api = new HttpApi(this, 'Api', {
      description: 'pixel: the public tracking pixel endpoint',
      createDefaultStage: false,
    })
    const accessLogs = stackLogGroup(this, 'AccessLogs')
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: {rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit},
      accessLogSettings: {destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT},
    })
    const integration = new HttpLambdaIntegration('PixelIntegration', this.pixelFunction.function)
    this.api.addRoutes({path: PIXEL_PATH, methods: [HttpMethod.GET, HttpMethod.HEAD], integration})
    this.api.addRoutes({path: HEALTH_PATH, methods: [HttpMethod.GET], integration})
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'A tracking pixel is an <img> any page embeds: it is unauthenticated on purpose, and stage throttling caps its cost.',
    })
    this.pixelUrl = `${this.stage.url}${PIXEL_PATH.slice(1)}`
    this.healthUrl = `${this.stage.url}${HEALTH_PATH.slice(1)}`
  }
}
