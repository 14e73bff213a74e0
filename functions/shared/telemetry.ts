/**
 * Logs, metrics and traces through Powertools for AWS Lambda, behind a small interface so the per-record code can
 * be tested with a recorder. Created once per container, at module scope, as Powertools expects.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Tracer } from "@aws-lambda-powertools/tracer";
import { COMMON_ENV } from "../../contracts/pipeline-env";
import type { MetricName } from "../../contracts/metrics";
import type { Attributes } from "./outcome";
import type { LambdaContext } from "./sqs-types";

export interface Log {
  debug(message: string, attributes?: Attributes): void;
  info(message: string, attributes?: Attributes): void;
  warn(message: string, attributes?: Attributes): void;
  error(message: string, attributes?: Attributes): void;
}

export interface Telemetry {
  readonly log: Log;
  count(name: MetricName, value?: number): void;
  milliseconds(name: MetricName, value: number): void;
  bytes(name: MetricName, value: number): void;
  /** Starts an invocation; the returned function ends it (publishes metrics, closes the trace subsegment). */
  begin(context?: LambdaContext): () => void;
  /** An AWS SDK v3 client whose calls appear as X-Ray subsegments (unchanged when tracing is off). */
  traceClient<T>(client: T): T;
}

/**
 * The tracer, only where Powertools would trace: in an AWS execution environment (AWS_EXECUTION_ENV set).
 * Elsewhere (tests, the local runner) the X-Ray SDK is not even loaded: it installs a process-wide async hook
 * that tracks the destruction of every promise, which made each promise-heavy process several seconds slower.
 */
function createTracer(serviceName: string): Tracer | undefined {
  if (!process.env.AWS_EXECUTION_ENV) return undefined;
  const { Tracer: PowertoolsTracer } =
    require("@aws-lambda-powertools/tracer") as typeof import("@aws-lambda-powertools/tracer");
  return new PowertoolsTracer({ serviceName });
}

/**
 * Powertools reads POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE and LOG_LEVEL itself; `serviceName` is
 * the fallback for a missing service name so the error about it can still be logged.
 */
export function createTelemetry(fallbackServiceName: string): Telemetry {
  const serviceName = process.env[COMMON_ENV.serviceName] || fallbackServiceName;
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({ serviceName });
  const tracer = createTracer(serviceName);
  let coldStart = true;

  return {
    log: {
      debug: (message, attributes = {}) => logger.debug(message, attributes),
      info: (message, attributes = {}) => logger.info(message, attributes),
      warn: (message, attributes = {}) => logger.warn(message, attributes),
      error: (message, attributes = {}) => logger.error(message, attributes),
    },
    count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
    milliseconds: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
    bytes: (name, value) => metrics.addMetric(name, MetricUnit.Bytes, value),
    begin(context) {
      if (context) logger.addContext(context as Parameters<Logger["addContext"]>[0]);
      if (coldStart) metrics.captureColdStartMetric(context?.functionName);
      const segment = tracer?.isTracingEnabled() ? tracer.getSegment() : undefined;
      const subsegment = segment?.addNewSubsegment(`## ${process.env._HANDLER ?? "index.handler"}`);
      if (tracer && subsegment) {
        tracer.setSegment(subsegment);
        tracer.annotateColdStart();
        tracer.addServiceNameAnnotation();
      }
      coldStart = false;
      return () => {
        metrics.publishStoredMetrics();
        if (tracer && segment && subsegment) {
          subsegment.close();
          tracer.setSegment(segment);
        }
      };
    },
    traceClient: (client) => (tracer ? tracer.captureAWSv3Client(client) : client),
  };
}
