import * as assert from "assert";
import { loadStackConfig, mapConfigSource, StackConfig } from "../../config";
import { readStack } from "../../tools/offline/stack-files";
import { REPO_ROOT } from "./offline";

/** A fully qualified key of the project's namespace. */
export const K = (name: string) => `agent-platform:${name}`;

/**
 * A stack's config, from its real files as the CLI would combine them (Pulumi.yaml defaults, ESC values, the
 * stack file), with `changes` applied (a string sets a key, undefined removes it): the raw values and secret
 * keys, for evaluating a program, and the typed StackConfig.
 */
export function stackInput(stack: string, changes: Record<string, string | undefined> = {}) {
  const input = readStack(REPO_ROOT, stack);
  const values = { ...input.config };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete values[k];
    else values[k] = v;
  }
  const config: StackConfig = loadStackConfig(
    mapConfigSource(values, input.secretKeys),
    "agent-platform",
    stack,
  );
  return { values, secretKeys: input.secretKeys, config };
}

/**
 * Changes that put every agent back on Lambda with Pulumi.yaml's queue timeouts (staging and prod run the dev
 * agent on Fargate, agentRuntime), for specs of the Lambda agents and of the worker with an image of its own.
 */
export const ALL_AGENTS_ON_LAMBDA: Record<string, string> = {
  [K("agentRuntime")]: "[]",
  [K("workerEnabled")]: "false",
  [K("queues")]: JSON.stringify(["pm:300", "dev:900", "qa:600", "ops:300"]),
};

/** A stack's typed config (see stackInput). */
export function loadStack(stack: string, changes: Record<string, string | undefined> = {}): StackConfig {
  return stackInput(stack, changes).config;
}

/** The problems loading `stack` with `changes` reports, as `key = value: allowed`; [] when it loads. */
export function configIssues(stack: string, changes: Record<string, string | undefined>): string[] {
  try {
    loadStack(stack, changes);
    return [];
  } catch (e) {
    const err = e as Error & { issues?: { key: string; value: unknown; allowed: string }[] };
    assert.strictEqual(err.name, "ConfigError", err.message);
    return err.issues!.map((i) => `${i.key} = ${JSON.stringify(i.value)}: ${i.allowed}`);
  }
}
