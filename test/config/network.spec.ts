import * as assert from "assert";
import { isZoneOf } from "../../config/network";
import { configIssues, K, loadStack } from "../helpers/config";

const load = loadStack;
const issuesWith = configIssues;

describe("network config", () => {
  it("reads each stack's network and data-tier switches", () => {
    const dev = load("dev");
    assert.deepStrictEqual(dev.network, {
      vpcCidr: "10.10.0.0/16",
      azCount: 2,
      availabilityZones: [],
      natStrategy: "none",
      interfaceEndpoints: [],
      reservedCidrs: [],
      flowLogRetentionDays: 7,
    });
    assert.deepStrictEqual([dev.database, dev.cache], [undefined, undefined]);
    const prod = load("prod");
    assert.deepStrictEqual(
      [prod.network.azCount, prod.network.natStrategy, prod.network.interfaceEndpoints],
      [3, "perAz", ["sqs", "secretsmanager", "ecr.api", "ecr.dkr", "logs", "bedrock-runtime", "sts"]],
    );
    assert.strictEqual(load("staging").network.natStrategy, "single");
  });

  it("accepts pinned zones of the stack's region, as many as azCount", () => {
    const c = load("dev", { [K("availabilityZones")]: '["us-east-1b","us-east-1d"]' });
    assert.deepStrictEqual(c.network.availabilityZones, ["us-east-1b", "us-east-1d"]);
  });

  it("rejects pinned zones of another region, repeated, or not azCount of them", () => {
    assert.deepStrictEqual(
      issuesWith("dev", { [K("availabilityZones")]: '["us-east-1a","us-east-1a","eu-west-1a"]' }),
      [
        'agent-platform:availabilityZones = ["us-east-1a","us-east-1a","eu-west-1a"]: must list exactly azCount (2) ' +
          "zones, or be empty to use the region's first 2",
        'agent-platform:availabilityZones[1] = "us-east-1a": must not repeat a zone',
        'agent-platform:availabilityZones[2] = "eu-west-1a": must be a zone of the stack\'s region, such as us-east-1a',
      ],
    );
  });

  it("rejects interface endpoints outside the supported set and repeats", () => {
    assert.deepStrictEqual(issuesWith("dev", { [K("interfaceEndpoints")]: '["sqs","ec2","sqs"]' }), [
      'agent-platform:interfaceEndpoints[1] = "ec2": must be one of sqs, secretsmanager, ecr.api, ecr.dkr, logs, ' +
        "bedrock-runtime, sts",
      'agent-platform:interfaceEndpoints[2] = "sqs": must not repeat a service',
    ]);
  });

  it("rejects data-tier switches that are not booleans", () => {
    assert.deepStrictEqual(issuesWith("dev", { [K("databaseEnabled")]: "yes" }), [
      'agent-platform:databaseEnabled = "yes": must be true or false',
    ]);
  });

  it("tells zones of a region from other names", () => {
    assert.deepStrictEqual(
      ["us-east-1a", "us-east-1", "us-east-1-bos-1a", "us-east-2a", "us-east-1A"].map((z) =>
        isZoneOf(z, "us-east-1"),
      ),
      [true, false, false, false, false],
    );
  });
});
