import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cacheControlFor, IMMUTABLE, SiteFile } from "./site";
import {
  createPlatformFunction,
  functionBundles,
  PlatformFunction,
  stackScopedName,
} from "../lambda/function";

/*
 * The frontend's CloudFront invalidation, issued only when the content of a non-hashed file changed: the
 * program computes, from the site folder, every non-hashed path with the SHA-256 of its content, and an
 * aws.lambda.Invocation (lifecycle scope CRUD) sends that map to a small function. The provider invokes again
 * only when the map changes (an unchanged site is no diff, so no invocation), and passes the previous map
 * along, so the function (functions/invalidate) invalidates exactly the paths that changed. Hashed assets get
 * new names on every build and are never invalidated.
 */

export interface InvalidationArgs {
  /** Days the function's log group keeps its logs. */
  readonly logRetentionDays: number;
}

/** "/<key>" -> SHA-256 of the content, for every file that keeps its name across builds (not content-hashed). */
export function invalidationPaths(files: readonly SiteFile[]): Record<string, string> {
  return Object.fromEntries(
    files.filter((f) => cacheControlFor(f.key) !== IMMUTABLE).map((f) => [`/${f.key}`, f.sha256]),
  );
}

/** The physical name of the invalidation function (its log group and the key policy need it first). */
export function invalidationFunctionName(name: string): string {
  return stackScopedName(`${name}-invalidate`);
}

/**
 * The function (least privilege: CreateInvalidation on this one distribution, its own log stream, traces) and
 * the Invocation that runs it after the site objects are uploaded.
 */
export function createSiteInvalidation(
  parent: pulumi.Resource,
  name: string,
  args: InvalidationArgs & {
    readonly files: readonly SiteFile[];
    /** Files the program writes itself (config.json): "/<key>" -> SHA-256 of the content, like the others. */
    readonly generated?: pulumi.Input<Record<string, string>>;
    readonly distribution: aws.cloudfront.Distribution;
    /** The KMS key whose policy lets CloudWatch Logs encrypt the function's log group. */
    readonly logKeyArn: pulumi.Input<string>;
    /** What must be in place first: the uploaded site objects. */
    readonly uploads: pulumi.Resource[];
  },
): { fn: PlatformFunction; invocation: aws.lambda.Invocation } {
  const fn = createPlatformFunction(parent, `${name}-invalidate`, {
    description: `Invalidates the changed non-hashed paths of the ${name} CloudFront distribution`,
    functionName: invalidationFunctionName(name),
    // One HTTPS request: the smallest size, and a timeout well above CloudFront's API latency.
    sizing: { memoryMb: 128, timeoutSeconds: 30, reservedConcurrency: -1 },
    environment: {},
    statements: [
      {
        Sid: "InvalidateThisDistribution",
        Effect: "Allow",
        Action: "cloudfront:CreateInvalidation",
        Resource: args.distribution.arn,
      },
    ],
    logKeyArn: args.logKeyArn,
    logRetentionDays: args.logRetentionDays,
    bundle: functionBundles().then((b) => b.invalidate),
    // No alarms: the function runs only inside `pulumi up`, through the synchronous Invocation below, so a
    // failure fails the deployment in front of the deployer; an alarm would only repeat it.
    alarms: false,
  });
  // Synchronous (RequestResponse): a failed invalidation fails `pulumi up`, where the deployer sees it.
  const invocation = new aws.lambda.Invocation(
    `${name}-invalidate-run`,
    {
      functionName: fn.function.name,
      input: pulumi.jsonStringify({
        distributionId: args.distribution.id,
        paths: pulumi
          .output(args.generated ?? {})
          .apply((generated) => ({ ...invalidationPaths(args.files), ...generated })),
      }),
      lifecycleScope: "CRUD",
    },
    { parent, dependsOn: [fn.rolePolicy, ...args.uploads] },
  );
  return { fn, invocation };
}
