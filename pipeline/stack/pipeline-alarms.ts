import {Duration} from 'aws-cdk-lib'
import {Alarm, ComparisonOperator, type IMetric, TreatMissingData} from 'aws-cdk-lib/aws-cloudwatch'
import {SnsAction} from 'aws-cdk-lib/aws-cloudwatch-actions'
import type {IStream} from 'aws-cdk-lib/aws-kinesis'
import type {IDeliveryStream} from 'aws-cdk-lib/aws-kinesisfirehose'
import type {IQueue} from 'aws-cdk-lib/aws-sqs'
import type {IFunction} from 'aws-cdk-lib/aws-lambda'
import {FilterPattern, type ILogGroup, MetricFilter} from 'aws-cdk-lib/aws-logs'
import type {ITopic} from 'aws-cdk-lib/aws-sns'
import {Construct} from 'constructs'

export interface PipelineAlarmsProps {
  readonly pixelFunction: IFunction
  readonly pixelLogGroup: ILogGroup
  readonly canaryFunction: IFunction
  /** The Firehose ingest's delivery stream, or the Kinesis ingest's parts: one of the two. */
  readonly stream?: IDeliveryStream
  readonly kinesis?: {
    readonly stream: IStream
    readonly consumer: IFunction
    readonly failureQueue: IQueue
    readonly iteratorAgeThreshold: Duration
  }
  readonly freshnessThreshold: Duration
  readonly alarmTopic?: ITopic
}

/** The namespace of the metrics the pipeline derives from its own logs. */
export const PIXEL_METRICS_NAMESPACE = 'Pixel'

const FIVE_MINUTES = Duration.minutes(5)

/** The alarms that say the pipeline is losing or delaying hits. */
export class PipelineAlarms extends Construct {
  public readonly pixelErrors: Alarm
  public readonly lostRecords: Alarm
  /** The Firehose ingest's. */
  public readonly deliveryFreshness?: Alarm
  public readonly deliveryFailures?: Alarm
  public readonly noIncomingRecords: Alarm
  public readonly canaryFailures: Alarm
  /** The Kinesis ingest's: the consumer falls behind the stream. */
  public readonly iteratorAge?: Alarm
  /** The Kinesis ingest's: batches given up on, reported to the failure queue. */
  public readonly failedBatches?: Alarm
  /** The Kinesis ingest's: puts refused for the stream's write capacity. */
  public readonly throttledPuts?: Alarm
  /** The Kinesis ingest's: the consumer failed a batch whole (retried, bisected). */
  public readonly consumerErrors?: Alarm

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id)
    const alarm = (name: string, description: string, metric: IMetric, options: AlarmShape): Alarm => {
      const created = new Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold: options.threshold,
        comparisonOperator: options.comparison,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        datapointsToAlarm: options.evaluationPeriods ?? 1,
        treatMissingData: options.missing ?? TreatMissingData.NOT_BREACHING,
      })
      if (props.alarmTopic) created.addAlarmAction(new SnsAction(props.alarmTopic))
      return created
    }
    const atLeastOne = {threshold: 1, comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD}

    this.pixelErrors = alarm(
      'PixelErrors',
      'The pixel function failed: pages may be getting no image.',
      props.pixelFunction.metricErrors({period: FIVE_MINUTES, statistic: 'Sum'}),
      atLeastOne,
    )

    // The handler never throws when Firehose fails (the page must get its GIF), so a lost record
    // shows only in its log: count those lines.
    const lostRecordsFilter = new MetricFilter(this, 'LostRecordsFilter', {
      logGroup: props.pixelLogGroup,
      filterPattern: FilterPattern.stringValue('$.event', '=', props.kinesis ? 'kinesis_put_failed' : 'firehose_put_failed'),
      metricNamespace: PIXEL_METRICS_NAMESPACE,
      metricName: 'LostRecords',
      metricValue: '1',
      defaultValue: 0,
    })
    this.lostRecords = alarm(
      'LostRecords',
      `The pixel could not put hits into ${props.kinesis ? 'Kinesis' : 'Firehose'} (failed, throttled or too slow): those hits are lost.`,
      lostRecordsFilter.metric({period: FIVE_MINUTES, statistic: 'Sum'}),
      atLeastOne,
    )

    const kinesis = props.kinesis
    if (kinesis) {
      this.iteratorAge = alarm(
        'IteratorAge',
        'The consumer reads records older than the threshold: it falls behind the stream (failing batches, throttling, or too little capacity), and the lake is late.',
        kinesis.consumer.metric('IteratorAge', {period: FIVE_MINUTES, statistic: 'Maximum'}),
        {threshold: kinesis.iteratorAgeThreshold.toMilliseconds(), comparison: ComparisonOperator.GREATER_THAN_THRESHOLD},
      )
      this.failedBatches = alarm(
        'FailedBatches',
        'The event source mapping gave up on batches (retries spent or records too old) and reported them to the failure queue: their records are not in the lake; replay them from the stream (pixel replay --from kinesis://STREAM).',
        kinesis.failureQueue.metricApproximateNumberOfMessagesVisible({period: FIVE_MINUTES, statistic: 'Maximum'}),
        atLeastOne,
      )
      this.throttledPuts = alarm(
        'ThrottledPuts',
        'Kinesis refused puts for the stream\'s write capacity: the pixel retries once, then loses the hit (see LostRecords); add shards or use on-demand capacity.',
        kinesis.stream.metric('WriteProvisionedThroughputExceeded', {period: FIVE_MINUTES, statistic: 'Sum'}),
        atLeastOne,
      )
      this.consumerErrors = alarm(
        'ConsumerErrors',
        'The consumer failed whole batches: they are retried and bisected, and reach the failure queue if they keep failing.',
        kinesis.consumer.metricErrors({period: FIVE_MINUTES, statistic: 'Sum'}),
        atLeastOne,
      )
      this.noIncomingRecords = alarm(
        'NoIncomingRecords',
        'The Kinesis stream received no record for 15 minutes although the canary sends one every few minutes: the pipeline is down.',
        kinesis.stream.metric('IncomingRecords', {period: Duration.minutes(15), statistic: 'Sum'}),
        {threshold: 1, comparison: ComparisonOperator.LESS_THAN_THRESHOLD, missing: TreatMissingData.BREACHING},
      )
    } else {
      const stream = props.stream
      if (!stream) throw new Error('PipelineAlarms needs the Firehose stream or the Kinesis ingest')
      this.deliveryFreshness = alarm(
        'DeliveryFreshness',
        'Firehose holds records older than the freshness threshold: delivery to S3 is late.',
        stream.metric('DeliveryToS3.DataFreshness', {period: FIVE_MINUTES, statistic: 'Maximum'}),
        {threshold: props.freshnessThreshold.toSeconds(), comparison: ComparisonOperator.GREATER_THAN_THRESHOLD},
      )

      this.deliveryFailures = alarm(
        'DeliveryFailures',
        'Some Firehose deliveries to S3 failed; records go to the error prefix after retries.',
        stream.metric('DeliveryToS3.Success', {period: FIVE_MINUTES, statistic: 'Average'}),
        {threshold: 1, comparison: ComparisonOperator.LESS_THAN_THRESHOLD},
      )

      // The canary sends a hit every few minutes, so silence means the pipeline is down.
      this.noIncomingRecords = alarm(
        'NoIncomingRecords',
        'Firehose received no record for 15 minutes although the canary sends one every few minutes: the pipeline is down.',
        stream.metric('IncomingRecords', {period: Duration.minutes(15), statistic: 'Sum'}),
        {threshold: 1, comparison: ComparisonOperator.LESS_THAN_THRESHOLD, missing: TreatMissingData.BREACHING},
      )
    }

    this.canaryFailures = alarm(
      'CanaryFailures',
      'The canary could not get the pixel through the real endpoint twice in a row.',
      props.canaryFunction.metricErrors({period: FIVE_MINUTES, statistic: 'Sum'}),
      {...atLeastOne, evaluationPeriods: 2},
    )
  }
}

interface AlarmShape {
  readonly threshold: number
  readonly comparison: ComparisonOperator
  readonly evaluationPeriods?: number
  readonly missing?: TreatMissingData
}

