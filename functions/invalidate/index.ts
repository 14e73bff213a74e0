import { createHash } from "node:crypto";
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  CreateInvalidationCommandInput,
} from "@aws-sdk/client-cloudfront";

/**
 * The frontend's CloudFront invalidation: invoked by the stack (an aws.lambda.Invocation with lifecycle scope
 * CRUD) only when the content of a non-hashed site file changed. The Invocation's input names the
 * distribution and every non-hashed path with its SHA-256; on an update the provider adds the previous input
 * (`tf.prev_input`), so the function invalidates exactly the paths whose content changed or that were removed.
 * Hashed assets (app.7c9e2f1b.js) never change under one name and are never invalidated.
 *
 * CloudFront is called through the SDK's client as the function's role: cloudfront:CreateInvalidation on this
 * distribution only.
 */

/** What the stack sends: the distribution and the non-hashed paths' content hashes. */
export interface SiteInput {
  readonly distributionId: string;
  /** "/index.html" -> SHA-256 hex of its content. */
  readonly paths: Readonly<Record<string, string>>;
}

/** The lifecycle information the Invocation adds in CRUD scope (the key the provider documents as `tf`). */
export interface InvalidationEvent extends SiteInput {
  readonly tf?: {
    readonly action?: "create" | "update" | "delete";
    readonly prev_input?: SiteInput;
    readonly prevInput?: SiteInput;
  };
}

/** Above this many changed paths one wildcard is cheaper (CloudFront bills per path after 1,000 a month). */
export const MAX_PATHS = 15;

/** "/index.html" is also served as "/" (the default root object): both cache keys go when it changes. */
function withRoot(paths: string[]): string[] {
  return paths.includes("/index.html") ? ["/", ...paths] : paths;
}

/**
 * The paths to invalidate: none on delete; every path on create (the distribution may have served an older
 * upload before this resource existed) or when the distribution changed; otherwise the paths whose hash
 * differs from the previous input, and the paths that were removed.
 */
export function pathsToInvalidate(event: InvalidationEvent): string[] {
  const action = event.tf?.action ?? "create";
  if (action === "delete") return [];
  const prev = event.tf?.prev_input ?? event.tf?.prevInput;
  const current = Object.keys(event.paths).sort();
  let changed: string[];
  if (action === "create" || !prev || prev.distributionId !== event.distributionId) changed = current;
  else {
    const removed = Object.keys(prev.paths).filter((p) => !(p in event.paths));
    changed = [...current.filter((p) => prev.paths[p] !== event.paths[p]), ...removed].sort();
  }
  const all = withRoot(changed);
  return all.length > MAX_PATHS ? ["/*"] : all;
}

/**
 * The CreateInvalidation request: the paths (URL-encoded, as CloudFront asks of unsafe and non-ASCII
 * characters), and a reference that makes a retried request the same one.
 */
export function invalidationRequest(
  distributionId: string,
  paths: string[],
  callerReference: string,
): CreateInvalidationCommandInput {
  return {
    DistributionId: distributionId,
    InvalidationBatch: {
      CallerReference: callerReference,
      Paths: { Quantity: paths.length, Items: paths.map(encodeURI) },
    },
  };
}

// CloudFront is global: its API lives in us-east-1. One client per container, created at first use.
let cloudFront: CloudFrontClient | undefined;

/** Sends one CreateInvalidation; CloudFront's error (AccessDenied, NoSuchDistribution...) propagates. */
export async function createInvalidation(
  distributionId: string,
  paths: string[],
  callerReference: string,
  client: CloudFrontClient = (cloudFront ??= new CloudFrontClient({ region: "us-east-1" })),
): Promise<string | undefined> {
  const out = await client.send(
    new CreateInvalidationCommand(invalidationRequest(distributionId, paths, callerReference)),
  );
  return out.Invalidation?.Id;
}

export async function handler(event: InvalidationEvent): Promise<{ invalidated: string[] }> {
  const paths = pathsToInvalidate(event);
  if (paths.length === 0) return { invalidated: [] };
  // The same event (with the previous input) gives the same reference: a retried request is the same one.
  const reference = createHash("sha256").update(JSON.stringify(event)).digest("hex");
  await createInvalidation(event.distributionId, paths, reference);
  return { invalidated: paths };
}
