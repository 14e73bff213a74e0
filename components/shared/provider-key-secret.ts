import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The agents' LLM provider key in Secrets Manager, encrypted with the Data key: what an agent's runtime reads by
 * ARN (the Lambda agents' AgentWorkers, and the agent container's FargateWorker, each its own copy).
 */
export function providerKeySecret(
  parent: pulumi.Resource,
  name: string,
  args: { readonly dataKeyArn: pulumi.Input<string>; readonly value: pulumi.Input<string> },
): { secret: aws.secretsmanager.Secret; version: aws.secretsmanager.SecretVersion } {
  const secret = new aws.secretsmanager.Secret(
    `${name}-llm-api-key`,
    {
      description: "API key of the agents' LLM provider",
      kmsKeyId: args.dataKeyArn,
      // The provider issues the key: it is rotated there and written here from config.
      tags: {
        "policy-exempt:secret-rotation":
          "an LLM provider key AWS cannot rotate: issue a new key at the provider - set agentLlmApiKey in ESC - " +
          "pulumi up. See docs/security.md: Secret rotation",
      },
    },
    { parent },
  );
  const version = new aws.secretsmanager.SecretVersion(
    `${name}-llm-api-key-value`,
    { secretId: secret.id, secretString: args.value },
    { parent },
  );
  return { secret, version };
}
