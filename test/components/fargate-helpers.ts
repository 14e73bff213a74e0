import { FargateService } from "../../components/fargate/service";
import { FargateWorker } from "../../components/fargate/worker";
import { Network } from "../../components/network/network";
import { Queues } from "../../components/queues";
import { platformProvider } from "../../components/shared/tagging";
import { loadStackConfig, mapConfigSource, StackConfig } from "../../config";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { readStack } from "../../tools/offline/stack-files";
import { evaluate, LOGS_KEY_ARN, REPO_ROOT } from "../helpers/offline";
import { sharedEvaluation } from "../helpers/stacks";

export const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts-topic-0123456";
export const K = (name: string) => `agent-platform:${name}`;
/** Validated certificates the web service is given where the stack has a domain (CloudFront's, the ALB's). */
export const CDN_CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/cdn-0123";
export const ORIGIN_CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/origin-0123";
/** The signature key the engine wraps secret values in. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** A serialized input with its secret wrappers removed. */
export function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (SECRET_SIG in o) return plain(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

export interface FargateStack {
  resources: RegisteredResource[];
  config: StackConfig;
  web?: FargateService;
  worker?: FargateWorker;
}

/**
 * Evaluates the Network, Queues, FargateService and (when enabled) FargateWorker as index.ts composes them
 * for `stack`, from the real stack files with `overrides` applied. With the stack's config as it is, specs
 * share one evaluation per stack.
 */
export function fargateStack(
  stack: string,
  overrides: Record<string, string> = {},
  options: { usEast1Provider?: boolean } = {},
): Promise<FargateStack> {
  if (Object.keys(overrides).length === 0 && Object.keys(options).length === 0)
    return sharedEvaluation(`fargate:${stack}`, () => evaluateFargate(stack, {}, {}));
  return evaluateFargate(stack, overrides, options);
}

async function evaluateFargate(
  stack: string,
  overrides: Record<string, string>,
  options: { usEast1Provider?: boolean },
): Promise<FargateStack> {
  const input = readStack(REPO_ROOT, stack);
  const values = { ...input.config, ...overrides };
  const region = values["aws:region"];
  const result: Partial<FargateStack> = {};
  const { resources } = await evaluate(
    () => {
      const config = loadStackConfig(mapConfigSource(values, input.secretKeys), "agent-platform", stack);
      result.config = config;
      const usEast1 =
        options.usEast1Provider === false
          ? undefined
          : platformProvider("aws-us-east-1", "us-east-1", config.tags, config.allowedAccountIds);
      const network = new Network("network", {
        ...config.network,
        flowLogsKeyArn: LOGS_KEY_ARN,
        isolatedSubnets: config.database !== undefined || config.cache !== undefined,
      });
      const queues = new Queues("agents", { ...config.queues, alarmTopicArn: TOPIC });
      if (config.webService) {
        result.web = new FargateService("web", {
          ...config.webService,
          network,
          waf: config.waf,
          logRetentionDays: config.logRetentionDays,
          logKeyArn: LOGS_KEY_ARN,
          // Dns issues these in index.ts (test/components/dns.spec.ts); the service only takes their ARNs.
          domain: config.domain && {
            name: config.domain.name,
            certificateArn: CDN_CERT_ARN,
            originName: `origin.${config.domain.name}`,
            originCertificateArn: ORIGIN_CERT_ARN,
          },
          alarmTopicArn: TOPIC,
          usEast1Provider: usEast1,
          protectStateful: config.protectStateful,
        });
      }
      // The worker with the image config names; a worker running an agent's container needs the whole program
      // (the data tier, the agents' key and model), so fargate-agent.spec.ts evaluates that one through index.ts.
      if (config.worker && !config.worker.agent) {
        result.worker = new FargateWorker("agent-worker", {
          ...config.worker,
          agent: undefined,
          network,
          queue: queues.pairs[config.worker.queue],
          queueKmsKeyArn: queues.kmsKeyArn,
          cluster: result.web?.cluster,
          logRetentionDays: config.logRetentionDays,
          logKeyArn: LOGS_KEY_ARN,
          alarmTopicArn: TOPIC,
        });
      }
    },
    { stack, config: values, secretKeys: input.secretKeys, region },
  );
  return { ...(result as FargateStack), resources };
}

/** The value of an Output, once resolved. */
export function valueOf<T>(o: { apply<U>(f: (t: T) => U): unknown }): Promise<T> {
  return new Promise((resolve) =>
    o.apply((v: T) => {
      resolve(v);
      return v;
    }),
  );
}

/** The component resources' children: everything parented (at any depth) by the component named `name`. */
export function childrenOf(
  resources: RegisteredResource[],
  type: string,
  name: string,
): RegisteredResource[] {
  const root = resources.find((r) => r.type === type && r.name === name);
  if (!root) throw new Error(`no ${type} ${name}`);
  const urns = new Set([root.urn]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of resources) {
      if (r.parent && urns.has(r.parent) && !urns.has(r.urn)) {
        urns.add(r.urn);
        grew = true;
      }
    }
  }
  urns.delete(root.urn);
  return resources.filter((r) => urns.has(r.urn));
}
