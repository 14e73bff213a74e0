import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where a component runs, looked up once, for ARNs and service principals (never literal). */
export interface AwsContext {
  readonly partition: pulumi.Output<string>;
  readonly dnsSuffix: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
  readonly accountId: pulumi.Output<string>;
}

export function awsContext(parent: pulumi.Resource): AwsContext {
  const opts = { parent };
  const partition = aws.getPartitionOutput({}, opts);
  return {
    partition: partition.partition,
    dnsSuffix: partition.dnsSuffix,
    region: aws.getRegionOutput({}, opts).region,
    accountId: aws.getCallerIdentityOutput({}, opts).accountId,
  };
}

/**
 * `<service>.<region>.<dns suffix>`: the name KMS gives, as `kms:ViaService`, to the AWS service that called it
 * on a principal's behalf.
 */
export function viaService(ctx: AwsContext, service: string): pulumi.Output<string> {
  return pulumi.interpolate`${service}.${ctx.region}.${ctx.dnsSuffix}`;
}
