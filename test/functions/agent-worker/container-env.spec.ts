import { strict as assert } from "node:assert";
import { protectionMinutes } from "../../../functions/agent-worker/container";
import { readAgentContainerEnv } from "../../../functions/agent-worker/container-env";

const ENV = {
  POWERTOOLS_SERVICE_NAME: "agent-dev-container",
  POWERTOOLS_METRICS_NAMESPACE: "AgentPlatform/Agents",
  AGENT_NAME: "dev",
  TABLE_NAME: "data-table",
  QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/agents-dev",
  LLM_API_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:llm-key-abc123",
  AGENT_MODEL_ID: "amazon.nova-lite-v1:0",
  CONSUMER_TIMEOUT_SECONDS: "3600",
  VISIBILITY_TIMEOUT_SECONDS: "3660",
};

describe("the agent container's environment", () => {
  it("reads the worker's variables and the loop's, the health port 8080 by default", () => {
    const env = readAgentContainerEnv({ ...ENV, ECS_AGENT_URI: "http://169.254.170.2/api/abc" });
    assert.deepEqual(
      [
        env.worker.agentName,
        env.consumerTimeoutSeconds,
        env.visibilityTimeoutSeconds,
        env.healthPort,
        env.ecsAgentUri,
      ],
      ["dev", 3600, 3660, 8080, "http://169.254.170.2/api/abc"],
    );
    assert.equal(readAgentContainerEnv(ENV).ecsAgentUri, undefined);
  });

  it("names every bad variable at once: the worker's and the loop's", () => {
    assert.throws(
      () =>
        readAgentContainerEnv({
          ...ENV,
          AGENT_NAME: "boss",
          VISIBILITY_TIMEOUT_SECONDS: "600",
          HEALTH_PORT: "80",
        }),
      (e: Error & { issues: string[] }) => {
        assert.deepEqual(e.issues, [
          'AGENT_NAME="boss": must be one of pm, dev, qa, ops',
          'HEALTH_PORT="80": must be a whole number from 1024 to 65535',
          "VISIBILITY_TIMEOUT_SECONDS=600: must be at least CONSUMER_TIMEOUT_SECONDS (3600): a message must stay " +
            "hidden while its task may still run",
        ]);
        return true;
      },
    );
    assert.throws(
      () => readAgentContainerEnv({ ...ENV, CONSUMER_TIMEOUT_SECONDS: "30" }),
      /CONTINUATION_MARGIN_SECONDS=60: must be shorter than CONSUMER_TIMEOUT_SECONDS \(30\)/,
    );
  });

  it("protects a running task for its timeout and five minutes, within ECS's 1 to 2,880 minutes", () => {
    assert.deepEqual([1, 60, 61, 3600, 43_200].map(protectionMinutes), [6, 6, 7, 65, 725]);
    assert.equal(protectionMinutes(200_000), 2880);
  });
});
