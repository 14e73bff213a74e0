/** Secrets Manager's GetSecretValue (AWS JSON 1.1: POST / with X-Amz-Target) on loopback. */
import { LoopbackServer, RecordedRequest, Reply } from "./loopback";

export class FakeSecretsManager extends LoopbackServer {
  readonly secrets = new Map<string, string>();

  protected handle(request: RecordedRequest): Reply {
    if (request.headers["x-amz-target"] !== "secretsmanager.GetSecretValue") {
      return { status: 400, body: { __type: "UnknownOperationException", message: "unknown operation" } };
    }
    const { SecretId } = JSON.parse(request.body) as { SecretId: string };
    const secret = this.secrets.get(SecretId);
    if (secret === undefined) {
      return {
        status: 400,
        body: {
          __type: "ResourceNotFoundException",
          message: "Secrets Manager can't find the specified secret.",
        },
      };
    }
    return {
      status: 200,
      body: { ARN: SecretId, Name: SecretId.split(":").pop(), SecretString: secret, VersionId: "v1" },
    };
  }
}
