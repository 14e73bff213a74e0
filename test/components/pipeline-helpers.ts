import * as pulumi from "@pulumi/pulumi";
import { Pipeline, PipelineArgs } from "../../components/pipeline/pipeline";
import { platformProvider } from "../../components/shared/tagging";
import { loadStackConfig, mapConfigSource, StackConfig } from "../../config";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { readStack } from "../../tools/offline/stack-files";
import { evaluate, named, policyDocument, REPO_ROOT } from "../helpers/offline";
import { sharedEvaluation } from "../helpers/stacks";

export const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts-topic-0123456";
export const ACCOUNT = "123456789012";
export const K = (name: string) => `agent-platform:${name}`;

type PipelineOf = { resources: RegisteredResource[]; pipeline: Pipeline; config: StackConfig };

/**
 * Evaluates the Pipeline component as index.ts builds it for `stack` (with the stack's provider, whose default
 * tags tell the policies the environment), with config `overrides`. The provider is among the resources. With
 * the stack's config as it is, specs share one evaluation per stack.
 */
export function pipelineOf(
  stack: string,
  overrides: Record<string, string> = {},
  extra: Partial<PipelineArgs> = {},
): Promise<PipelineOf> {
  if (Object.keys(overrides).length === 0 && Object.keys(extra).length === 0)
    return sharedEvaluation(`pipeline:${stack}`, () => evaluatePipeline(stack, {}, {}));
  return evaluatePipeline(stack, overrides, extra);
}

async function evaluatePipeline(
  stack: string,
  overrides: Record<string, string>,
  extra: Partial<PipelineArgs>,
): Promise<PipelineOf> {
  const input = readStack(REPO_ROOT, stack);
  const values = { ...input.config, ...overrides };
  const config = loadStackConfig(mapConfigSource(values, input.secretKeys), "agent-platform", stack);
  let pipeline: Pipeline | undefined;
  const { resources } = await evaluate(
    () => {
      const provider = platformProvider("aws", config.region, config.tags, config.allowedAccountIds);
      pipeline = new Pipeline(
        "pipeline",
        {
          ...config.pipeline!,
          logRetentionDays: config.logRetentionDays,
          alarmTopicArn: TOPIC,
          protect: config.protectStateful,
          ...extra,
        },
        { providers: { aws: provider } },
      );
    },
    { stack, config: values, secretKeys: input.secretKeys, region: config.region },
  );
  return {
    resources: resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
    pipeline: pipeline!,
    config,
  };
}

export const arnOf = (r: RegisteredResource) => r.outputs.arn as string;
export const urlOf = (r: RegisteredResource) => r.outputs.url as string;
/** A bucket's physical name. */
export const bucketOf = (resources: RegisteredResource[], name: string) =>
  named(resources, name).inputs.bucket as string;
export const statementsOf = (r: RegisteredResource, prop = "policy") => policyDocument(r, prop).Statement;

/** The value of an Output, once known. */
export function resolve<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((done) => pulumi.output(output).apply((v) => done(v as T)));
}

/** The URN of the one resource named `name`. */
export const urnOf = (resources: RegisteredResource[], name: string) => named(resources, name).urn;
