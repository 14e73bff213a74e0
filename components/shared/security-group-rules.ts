import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/*
 * Every rule of the platform's security groups is a standalone resource; no group declares inline `ingress`
 * or `egress` (the pack's security-group-standalone-rules). A group that declared inline rules owns that
 * direction outright: a refresh reads the standalone rules into it, and the next update (prod remediates
 * drift) revokes them. A server (database, cache) admits its clients by security group, never by CIDR; a
 * client's own group allows HTTPS alone, so each client also gets a rule out to the server.
 *
 * A group moved from inline to standalone rules gets a new description, which replaces it: standalone copies
 * of rules the old group still held would be refused by AWS as duplicates.
 */

/** A client of a server's port: its security group, named for the rules' logical names. */
export interface GroupClient {
  /** Short, stable name of the tier (web, worker, eks, migrate): part of the rules' logical names. */
  readonly name: string;
  readonly securityGroupId: pulumi.Input<string>;
  /** The group already lets everything out (EKS's cluster security group): no egress rule is added to it. */
  readonly egressOpen?: boolean;
}

interface GroupToGroup {
  readonly from: pulumi.Input<string>;
  readonly to: pulumi.Input<string>;
  readonly port: number;
  readonly description: string;
}

/** One TCP rule between two groups, held by `on` and naming `other`. */
function tcpRule<R extends typeof aws.vpc.SecurityGroupIngressRule | typeof aws.vpc.SecurityGroupEgressRule>(
  Rule: R,
  parent: pulumi.Resource,
  name: string,
  on: pulumi.Input<string>,
  other: pulumi.Input<string>,
  args: GroupToGroup,
): InstanceType<R> {
  return new Rule(
    name,
    {
      securityGroupId: on,
      description: args.description,
      ipProtocol: "tcp",
      fromPort: args.port,
      toPort: args.port,
      referencedSecurityGroupId: other,
    },
    { parent },
  ) as InstanceType<R>;
}

/** Lets members of group `from` in to group `to` on TCP `port` (a rule of `to`). */
export function ingressFromGroup(parent: pulumi.Resource, name: string, args: GroupToGroup) {
  return tcpRule(aws.vpc.SecurityGroupIngressRule, parent, name, args.to, args.from, args);
}

/** Lets the members of group `from` out to the members of group `to` on TCP `port` (a rule of `from`). */
export function egressToGroup(parent: pulumi.Resource, name: string, args: GroupToGroup) {
  return tcpRule(aws.vpc.SecurityGroupEgressRule, parent, name, args.from, args.to, args);
}

/** Lets the members of group `from` out over HTTPS to any address (AWS APIs, image registries). */
export function httpsOut(
  parent: pulumi.Resource,
  name: string,
  from: pulumi.Input<string>,
): aws.vpc.SecurityGroupEgressRule {
  return new aws.vpc.SecurityGroupEgressRule(
    name,
    {
      securityGroupId: from,
      description: "HTTPS",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    },
    { parent },
  );
}

/**
 * Admits `clients` to `server` on TCP `port`: for each client `${name}-from-<client>` (in on the server) and,
 * unless its egress is open, `${name}-<client>-to-${target}` (out on the client). The count follows the plain
 * list of clients (which components exist), never an Output, so it is known at preview.
 */
export function admitClients(
  parent: pulumi.Resource,
  name: string,
  target: string,
  args: {
    readonly server: pulumi.Input<string>;
    readonly clients: readonly GroupClient[];
    readonly port: number;
    /** What the server's rules say. */
    readonly description: string;
    /** What the clients' rules say. */
    readonly clientDescription: string;
  },
): void {
  const names = args.clients.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new Error(`${name}: two clients are named ${twice}`);
  for (const client of args.clients) {
    ingressFromGroup(parent, `${name}-from-${client.name}`, {
      to: args.server,
      from: client.securityGroupId,
      port: args.port,
      description: args.description,
    });
    if (!client.egressOpen)
      egressToGroup(parent, `${name}-${client.name}-to-${target}`, {
        from: client.securityGroupId,
        to: args.server,
        port: args.port,
        description: args.clientDescription,
      });
  }
}
