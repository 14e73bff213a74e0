/**
 * The parts of the Lambda SQS event and context these functions use (the project does not depend on
 * @types/aws-lambda).
 */

export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle?: string;
  readonly body: string;
  readonly attributes?: {
    readonly ApproximateReceiveCount?: string;
    readonly [name: string]: string | undefined;
  };
  readonly eventSource?: string;
  readonly eventSourceARN?: string;
  readonly awsRegion?: string;
}

export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface LambdaContext {
  readonly functionName?: string;
  readonly awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}

export type SqsHandler = (event: SqsEvent, context?: LambdaContext) => Promise<SqsBatchResponse>;
