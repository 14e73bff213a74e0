import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/*
 * Security group rules between the platform's own groups. A server (database, cache) admits its clients by
 * security group, never by CIDR; the clients' groups allow HTTPS alone, so each also needs a rule out to the
 * server. Both halves name the other group, which keeps the pair in step.
 */

/** A server group's inline ingress rules: TCP `port` from each client security group, one rule per group. */
export function ingressFromGroups(
  clientSecurityGroupIds: pulumi.Input<string>[],
  port: number,
  description: string,
) {
  return clientSecurityGroupIds.map((id) => ({
    protocol: "tcp",
    fromPort: port,
    toPort: port,
    securityGroups: [id],
    description,
  }));
}

/** Lets the members of group `from` out to the members of group `to` on TCP `port`, and nowhere else new. */
export function egressToGroup(
  parent: pulumi.Resource,
  name: string,
  args: {
    readonly from: pulumi.Input<string>;
    readonly to: pulumi.Input<string>;
    readonly port: number;
    readonly description: string;
  },
): aws.vpc.SecurityGroupEgressRule {
  return new aws.vpc.SecurityGroupEgressRule(
    name,
    {
      securityGroupId: args.from,
      description: args.description,
      ipProtocol: "tcp",
      fromPort: args.port,
      toPort: args.port,
      referencedSecurityGroupId: args.to,
    },
    { parent },
  );
}

/**
 * The clients' half of admitting them: one egress rule per client group, `${name}-client-<i>-to-${target}`,
 * out to `server` on `port`. The count follows the plain list of groups (which components exist), never an
 * Output, so it is known at preview.
 */
export function clientsReach(
  parent: pulumi.Resource,
  name: string,
  target: string,
  args: {
    readonly server: pulumi.Input<string>;
    readonly clientSecurityGroupIds: pulumi.Input<string>[];
    readonly port: number;
    readonly description: string;
  },
): aws.vpc.SecurityGroupEgressRule[] {
  return args.clientSecurityGroupIds.map((from, i) =>
    egressToGroup(parent, `${name}-client-${i}-to-${target}`, {
      from,
      to: args.server,
      port: args.port,
      description: args.description,
    }),
  );
}
