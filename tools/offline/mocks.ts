import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { autonamedProperty } from "../../lib/aws-types";
import { digits, hex, MOCK_OUTPUTS, MockContext } from "./outputs";

/**
 * Mocks that answer like AWS would, so outputs flow into other resources as they do in a real deployment:
 * ids in each service's format, partition-aware ARNs, names the provider would generate, queue URLs, DNS
 * names, and the invokes the program uses (caller identity, region, partition, availability zones, managed
 * prefix lists). Values are derived from a hash of the resource's type and name, so two runs agree.
 */

export interface MockEnvironment {
  region: string;
  accountId: string;
}

export const DEFAULT_ACCOUNT_ID = "123456789012";

/** The partition and its DNS suffix, from the region name. */
export function partitionOf(region: string): { partition: string; dnsSuffix: string } {
  if (region.startsWith("cn-")) return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" };
  if (region.startsWith("us-gov-")) return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com" };
  return { partition: "aws", dnsSuffix: "amazonaws.com" };
}

/** Availability zones per region as AWS lists them for a new account; others get three. */
const ZONE_SUFFIXES: Record<string, string[]> = {
  "us-east-1": ["a", "b", "c", "d", "e", "f"],
  "us-east-2": ["a", "b", "c"],
  "us-west-1": ["a", "c"],
  "us-west-2": ["a", "b", "c", "d"],
  "eu-west-1": ["a", "b", "c"],
  "eu-central-1": ["a", "b", "c"],
  "ap-northeast-2": ["a", "b", "c", "d"],
};

export function availabilityZones(region: string): string[] {
  return (ZONE_SUFFIXES[region] ?? ["a", "b", "c"]).map((s) => region + s);
}

/**
 * The outputs of the remote components the program uses, which their provider plugin would compute (our own
 * components' outputs are their registered outputs).
 */
function remoteComponentOutputs(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    // awsx's ECR image: after a push, the repository URL with the pushed manifest's digest (here a digest of the
    // inputs, so a changed build shows as a changed image).
    case "awsx:ecr:Image":
      return {
        imageUri: `${String(inputs["repositoryUrl"])}@sha256:${createHash("sha256").update(JSON.stringify(inputs)).digest("hex")}`,
      };
    default:
      return {};
  }
}

/** CloudFront's origin-facing managed prefix list ids (the same in each commercial region's list). */
const CLOUDFRONT_PREFIX_LIST: Record<string, string> = {
  "us-east-1": "pl-3b927c52",
  "us-east-2": "pl-b6a144df",
  "us-west-2": "pl-82a045eb",
  "eu-west-1": "pl-4fa04526",
  "eu-central-1": "pl-a3a144ca",
};

export class OfflineMocks implements pulumi.runtime.Mocks {
  private readonly partition: string;
  private readonly dnsSuffix: string;

  constructor(private readonly env: MockEnvironment) {
    ({ partition: this.partition, dnsSuffix: this.dnsSuffix } = partitionOf(env.region));
  }

  /**
   * What the provider's Check adds to inputs before anything else sees them: the auto-generated physical
   * name (`<logical name>-<7 hex>`, lower-case for buckets). Policies see these, as under `pulumi preview`.
   */
  checkedInputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const prop = autonamedProperty(type);
    if (!prop || inputs[prop] !== undefined) return inputs;
    if (inputs[`${prop}Prefix`] !== undefined) {
      return { ...inputs, [prop]: `${String(inputs[`${prop}Prefix`])}${digits(type + name, 26)}` };
    }
    let generated = `${name}-${hex(type + name, 7)}`;
    if (type === "aws:s3/bucket:Bucket" || type === "aws:s3/bucketV2:BucketV2")
      generated = generated.toLowerCase();
    if (type === "aws:sqs/queue:Queue" && inputs["fifoQueue"] === true) generated += ".fifo";
    return { ...inputs, [prop]: generated };
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = this.checkedInputs(args.type, args.name, args.inputs ?? {});
    if (!args.custom)
      return { id: undefined, state: { ...inputs, ...remoteComponentOutputs(args.type, inputs) } };
    const outputs = this.outputsFor(args.type, args.name, inputs);
    const { id, ...rest } = outputs;
    return {
      id: (id as string | undefined) ?? `${args.name}-${hex(args.type + args.name, 8)}`,
      state: { ...inputs, ...rest },
    };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const { region, accountId } = this.env;
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId,
          arn: `arn:${this.partition}:sts::${accountId}:assumed-role/offline-preview/session`,
          userId: "AROAOFFLINEPREVIEW:session",
          id: accountId,
        };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, id: region, endpoint: `ec2.${region}.${this.dnsSuffix}` };
      case "aws:index/getPartition:getPartition":
        return {
          partition: this.partition,
          id: this.partition,
          dnsSuffix: this.dnsSuffix,
          reverseDnsPrefix: this.dnsSuffix.split(".").reverse().join("."),
        };
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        const names = availabilityZones(region);
        return { names, zoneIds: names.map((_, i) => `use1-az${i + 1}`), id: region, groupNames: [region] };
      }
      case "aws:ec2/getManagedPrefixList:getManagedPrefixList": {
        const name = String(args.inputs.name ?? "");
        const id = name.includes("cloudfront")
          ? (CLOUDFRONT_PREFIX_LIST[region] ?? "pl-offline")
          : `pl-${hex(name, 8)}`;
        return { id, name, arn: `arn:${this.partition}:ec2:${region}:aws:prefix-list/${id}`, maxEntries: 55 };
      }
      case "aws:ec2/getManagedPrefixListOutput:getManagedPrefixListOutput":
        return this.call({ ...args, token: "aws:ec2/getManagedPrefixList:getManagedPrefixList" });
      default:
        // A clear error beats a silently empty result that would flow into resources.
        throw new Error(
          `the offline preview has no mock for the invoke ${args.token}; add one to tools/offline/mocks.ts`,
        );
    }
  }

  private arn(
    service: string,
    resource: string,
    opts: { global?: boolean; noAccount?: boolean } = {},
  ): string {
    const region = opts.global ? "" : this.env.region;
    const account = opts.noAccount ? "" : this.env.accountId;
    return `arn:${this.partition}:${service}:${region}:${account}:${resource}`;
  }

  /** Outputs AWS would return for the types the platform uses (outputs/, a table per service); a generic ARN for the rest. */
  private outputsFor(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const { region, accountId } = this.env;
    const seed = type + name;
    const physical = String(inputs[autonamedProperty(type) ?? "name"] ?? name);
    const ec2 = (prefix: string, kind: string) => {
      const id = `${prefix}-${hex(seed, 17)}`;
      return { id, arn: this.arn("ec2", `${kind}/${id}`), ownerId: accountId };
    };
    const answer = MOCK_OUTPUTS[type];
    if (answer) {
      const { partition, dnsSuffix } = this;
      const arn: MockContext["arn"] = (service, resource, opts) => this.arn(service, resource, opts);
      return answer({
        type,
        name,
        inputs,
        seed,
        physical,
        region,
        accountId,
        partition,
        dnsSuffix,
        arn,
        ec2,
      });
    }
    // aws:<module>/<resource>:<Name> -> arn:<partition>:<module>:<region>:<account>:<resource>/<name>
    const m = /^aws:([^/]+)\/([^:]+):/.exec(type);
    if (!m) return {};
    // Attachments and policies take the ARN of what they attach to as an input named `arn`: keep it.
    if (inputs["arn"] !== undefined) return { id: physical };
    return { id: physical, arn: this.arn(m[1], `${m[2]}/${physical}`) };
  }
}
