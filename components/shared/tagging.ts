import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BaseTags } from "../../lib/tags";
import { isTaggable } from "../../lib/aws-types";

/*
 * How every taggable resource gets Environment, Project, Owner and Function.
 *
 * - Environment, Project and Owner are the same for the whole stack, so they are the explicit AWS provider's
 *   `defaultTags`: the provider applies them to everything it manages, including resources a future remote
 *   component (awsx, @pulumi/eks) creates out of our process's sight. In @pulumi/aws v7 these show only in
 *   `tagsAll`; CrossGuard resource policies see inputs, so the required-tags policy merges the provider's
 *   `defaultTags` (which it receives as `args.provider.props`) with the resource's own `tags`.
 * - Function differs per component, so each component carries a (legacy, in-process) resource transformation
 *   that merges `{ Function: ... }` into the `tags` of every taggable child. In-process transformations run in
 *   the SDK both under the engine and under mocks (the newer engine-side `transforms` are refused by mocks on
 *   @pulumi/pulumi 3.248, which we pin for Node 20), and they are inherited by every descendant. Our components
 *   use plain @pulumi/aws resources, so no child escapes them; the one remote component, the agent image
 *   (awsx.ecr.Image), creates no AWS resource that takes tags (it pushes an image).
 */

/**
 * The explicit provider every resource uses: stack-wide tags are its defaultTags, and it refuses credentials
 * for an account other than `allowedAccountIds` when it configures, before any resource is read or changed.
 */
export function platformProvider(
  name: string,
  region: string,
  tags: BaseTags,
  allowedAccountIds: readonly string[],
) {
  return new aws.Provider(name, {
    region: region as aws.Region,
    allowedAccountIds: [...allowedAccountIds],
    defaultTags: { tags: { ...tags } },
  });
}

/** A transformation that adds the Function tag to each taggable resource, keeping tags the resource sets. */
export function functionTagTransformation(functionTag: string): pulumi.ResourceTransformation {
  return (args) => {
    if (!args.type.startsWith("aws:") || !isTaggable(args.type)) return undefined;
    const own = args.props["tags"] as pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
    return {
      props: {
        ...args.props,
        tags: pulumi.output(own ?? {}).apply((t) => ({ Function: functionTag, ...t })),
      },
      opts: args.opts,
    };
  };
}

/**
 * Base of every platform component: registers the component type and tags all its children with `Function`.
 * Components pass `{ parent: this }` to their children and nothing else of their own options.
 */
export abstract class PlatformComponent extends pulumi.ComponentResource {
  constructor(type: string, name: string, functionTag: string, opts?: pulumi.ComponentResourceOptions) {
    super(
      type,
      name,
      {},
      {
        ...opts,
        transformations: [functionTagTransformation(functionTag), ...(opts?.transformations ?? [])],
      },
    );
  }
}
