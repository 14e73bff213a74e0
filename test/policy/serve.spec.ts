import * as assert from "assert";
import { policies } from "../../policy/policies";
import { serveCheck } from "../../policy/scripts/serve-check";

/*
 * The pack as the Pulumi CLI runs it: @pulumi/pulumi's policy host on policy/ (ts-node with type checking,
 * `new PolicyPack` serving gRPC), driven over gRPC. It takes 15-40 s (type-checking @pulumi/aws), so `npm test`
 * skips it; `npm run -s check:policy-host` runs it with POLICY_SERVE_CHECK=1, as CI does (.ci/run).
 */
(process.env.POLICY_SERVE_CHECK ? describe : describe.skip)(
  "policy pack under the CLI's policy host",
  function () {
    this.timeout(180000);

    it("starts, lists every policy with its level and schema, and analyzes resources and stacks", async () => {
      const r = await serveCheck();
      assert.strictEqual(r.packName, "agent-platform-guard");
      assert.deepStrictEqual(
        r.policies.map((p) => p.name),
        policies.map((p) => p.name),
      );
      assert.ok(r.policies.every((p) => p.hasSchema));
      assert.deepStrictEqual(
        r.analyze.map((d) => d.policy),
        ["sns-topic-encryption"],
      );
      assert.deepStrictEqual(
        r.analyzeStack.map((d) => d.policy),
        ["sqs-queue-tls-only", "sqs-queue-dlq"],
      );
    });
  },
);
