import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  CLOUDFRONT_ZONE_ID,
  DnsFailoverSettings,
  DnsHealthCheckSettings,
  HEALTH_CHECK_FIELDS,
  healthCheckProblems,
  isUnderZone,
} from "./dns-args";
import { nested } from "../lib/problems";
import { PlatformComponent } from "./shared/tagging";

/*
 * `agent-platform:index:Dns`: the one place for the stack's Route 53 hosted zone and its
 * certificates. The zone is an existing one (its id from config) or created here, its name servers exported
 * for delegation. Certificates are DNS-validated ACM certificates, with their validation records in the zone;
 * CloudFront's come from us-east-1. Alias records point public names at CloudFront distributions or load
 * balancers given as inputs. An optional HTTPS health check watches the primary endpoint and drives failover
 * routing (PRIMARY/SECONDARY alias records) and an alarm on its status.
 *
 * The stack's web service and frontend take their certificates from here and create no records: index.ts
 * creates Dns first (zone + certificates), then the components, then calls `addRecords` with their
 * distributions (`publicRecords`). Every name has one owner, so failover can replace the web name's plain
 * alias records without a clash.
 */

/** Where an alias record points: a CloudFront distribution, load balancer or other alias target. */
export interface AliasTarget {
  readonly dnsName: pulumi.Input<string>;
  /** The target's own hosted zone id (CloudFront: Z2FDTNDATAQYW2; a load balancer's canonicalHostedZoneId). */
  readonly zoneId: pulumi.Input<string>;
}

export interface CertificateRequest {
  /** The certificate's key in `certificateArns`, e.g. "cdn". */
  readonly key: string;
  readonly domainName: string;
  /** More names on the same certificate (e.g. a wildcard). Default: none. */
  readonly subjectAlternativeNames?: readonly string[];
  /** Issue it in us-east-1 (CloudFront takes certificates from there only). Default: the stack's region. */
  readonly forCloudFront?: boolean;
}

export interface AliasRecordRequest {
  /** The record's key, part of the child names (`<name>-<key>-a`). */
  readonly key: string;
  /** The public name, in the zone. */
  readonly name: string;
  readonly target: AliasTarget;
  /** An AAAA record besides the A record (CloudFront and dual-stack load balancers). Default: true. */
  readonly ipv6?: boolean;
  /** Answer only while the target is healthy (a load balancer's targets). Default: false. */
  readonly evaluateTargetHealth?: boolean;
}

export interface FailoverRequest {
  /** The public name answered by the PRIMARY target while it is healthy, by the SECONDARY otherwise. */
  readonly name: string;
  readonly primary: AliasTarget;
  readonly secondary: AliasTarget;
}

/** Records, the health check and its alarm: given to `addRecords` once their targets exist. */
export interface DnsRecordsArgs {
  /** Alias A/AAAA records to distributions or load balancers. Default: none. */
  readonly aliases?: readonly AliasRecordRequest[];
  /** Failover routing for one name; needs `healthCheck` (the PRIMARY record's). */
  readonly failover?: FailoverRequest;
  /** An HTTPS check of `endpoint` (the primary target's own DNS name, not the failover name it decides). */
  readonly healthCheck?: DnsHealthCheckSettings & { readonly endpoint: pulumi.Input<string> };
  /** SNS topic of the health-check alarm. Route 53 publishes HealthCheckStatus in us-east-1 only, and an alarm
   * notifies topics of its own region: this must be a us-east-1 topic. */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

export interface DnsArgs {
  /** The zone's apex (hostedZoneName); every name below must be it or under it. */
  readonly zoneName: string;
  /** An existing zone's id; exactly one of this and `createZone`. */
  readonly existingZoneId?: string;
  /** Create the zone; its name servers are the `nameServers` output. Default: false. */
  readonly createZone?: boolean;
  /** ACM certificates to issue and validate in the zone. Default: none. */
  readonly certificates?: readonly CertificateRequest[];
  /** Provider in us-east-1 for CloudFront certificates and the health-check alarm. Default: the component's
   * (then the stack must be in us-east-1). */
  readonly usEast1Provider?: aws.Provider;
  /** The stack's region, checked when something needs us-east-1 and `usEast1Provider` is absent. */
  readonly region: string;
  /** `protect` on a created zone (protectStateful): deleting it breaks the delegation. Default: false. */
  readonly protect?: boolean;
}

/** Guard clauses, without mocks: every message names the component and what to change. */
export function checkDnsArgs(name: string, args: DnsArgs & DnsRecordsArgs): void {
  const fail = (msg: string) => {
    throw new Error(`Dns ${name}: ${msg}`);
  };
  if ((args.existingZoneId !== undefined) === (args.createZone ?? false))
    fail("give exactly one of existingZoneId and createZone");
  const names = [
    ...(args.certificates ?? []).flatMap((c) => [c.domainName, ...(c.subjectAlternativeNames ?? [])]),
    ...(args.aliases ?? []).map((a) => a.name),
    ...(args.failover ? [args.failover.name] : []),
  ];
  for (const n of names) {
    if (!isUnderZone(n.replace(/^\*\./, ""), args.zoneName))
      fail(`${n} is not under the zone ${args.zoneName}`);
  }
  const recordNames = [
    ...(args.aliases ?? []).map((a) => a.name),
    ...(args.failover ? [args.failover.name] : []),
  ];
  const twice = recordNames.find((n, i) => recordNames.indexOf(n) !== i);
  if (twice !== undefined) fail(`${twice} has two alias records (an alias and failover, or two aliases)`);
  const keys = [...(args.certificates ?? []).map((c) => c.key), ...(args.aliases ?? []).map((a) => a.key)];
  const dupKey = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dupKey !== undefined) fail(`the key ${dupKey} is used twice`);
  if (args.failover && !args.healthCheck) fail("failover needs healthCheck (it decides the PRIMARY record)");
  if (args.healthCheck)
    for (const p of healthCheckProblems(args.healthCheck, nested(HEALTH_CHECK_FIELDS, "healthCheck")))
      fail(`${p.key} = ${JSON.stringify(p.value)}: ${p.allowed}`);
  const needsUsEast1 =
    args.healthCheck !== undefined || (args.certificates ?? []).some((c) => c.forCloudFront);
  if (needsUsEast1 && !args.usEast1Provider && args.region !== "us-east-1")
    fail(
      `CloudFront certificates and Route 53 health-check metrics live in us-east-1, and the stack is in ${args.region}; pass usEast1Provider`,
    );
  if (args.healthCheck && args.alarmTopicArn === undefined)
    fail("a health check needs alarmTopicArn (a us-east-1 topic) so someone hears when the endpoint fails");
}

/** The validation record names of a certificate: one per name, a wildcard sharing its base name's record. */
export function validationNames(domainName: string, sans: readonly string[] = []): string[] {
  return [...new Set([domainName, ...sans].map((n) => n.replace(/^\*\./, "")))];
}

/** The ALB's own name under the web name: CloudFront reaches the web service's origin on it over HTTPS. */
export function originNameOf(webName: string): string {
  return `origin.${webName}`;
}

/** An alias target for a CloudFront distribution (every distribution answers in CloudFront's zone). */
export function cloudFrontTarget(dnsName: pulumi.Input<string>): AliasTarget {
  return { dnsName, zoneId: CLOUDFRONT_ZONE_ID };
}

/** The public names of the stack: the web service's (with its origin) and the frontend's, where present. */
export interface PublicNames {
  readonly web?: string;
  readonly frontend?: string;
}

/**
 * The certificates the stack's public names need: keys `web` (CloudFront, us-east-1), `web-origin` (the ALB's
 * origin.<web>, in the stack's region: CloudFront validates it when it connects) and `frontend` (CloudFront).
 */
export function publicCertificates(names: PublicNames): CertificateRequest[] {
  return [
    ...(names.web
      ? [
          { key: "web", domainName: names.web, forCloudFront: true },
          { key: "web-origin", domainName: originNameOf(names.web) },
        ]
      : []),
    ...(names.frontend ? [{ key: "frontend", domainName: names.frontend, forCloudFront: true }] : []),
  ];
}

/** What `publicRecords` points the names at, once the components exist. */
export interface PublicTargets {
  readonly web?: {
    /** The web name, where Dns issued its certificates (an existing zone); else only the health check. */
    readonly name?: string;
    readonly cloudfrontDomainName: pulumi.Input<string>;
    readonly albDnsName: pulumi.Input<string>;
    readonly albZoneId: pulumi.Input<string>;
  };
  readonly frontend?: { readonly name: string; readonly cloudfrontDomainName: pulumi.Input<string> };
  /** Check the web distribution over HTTPS (needs `web`). */
  readonly healthCheck?: DnsHealthCheckSettings;
  /** Failover routing of the web name to a standby (needs `web` and `healthCheck`). */
  readonly failover?: DnsFailoverSettings;
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/**
 * The stack's records: the web name to its distribution (PRIMARY/SECONDARY with failover, else plain A/AAAA
 * aliases), origin.<web> to the ALB (A only: the ALB is IPv4; answered only while it has healthy targets), the
 * frontend name to its distribution, and the health check of the web distribution.
 */
export function publicRecords(t: PublicTargets): DnsRecordsArgs {
  const web = t.web;
  const webTarget = web && cloudFrontTarget(web.cloudfrontDomainName);
  const aliases: AliasRecordRequest[] = [];
  if (web?.name !== undefined) {
    if (!t.failover) aliases.push({ key: "web", name: web.name, target: webTarget! });
    aliases.push({
      key: "web-origin",
      name: originNameOf(web.name),
      target: { dnsName: web.albDnsName, zoneId: web.albZoneId },
      ipv6: false,
      evaluateTargetHealth: true,
    });
  }
  if (t.frontend)
    aliases.push({
      key: "frontend",
      name: t.frontend.name,
      target: cloudFrontTarget(t.frontend.cloudfrontDomainName),
    });
  return {
    aliases,
    ...(web && t.healthCheck
      ? {
          // The distribution's own name: the check must not follow the failover it decides.
          healthCheck: { ...t.healthCheck, endpoint: web.cloudfrontDomainName },
          alarmTopicArn: t.alarmTopicArn,
        }
      : {}),
    ...(web?.name !== undefined && t.failover
      ? {
          failover: {
            name: web.name,
            primary: webTarget!,
            secondary: { dnsName: t.failover.secondaryTarget, zoneId: t.failover.secondaryZoneId },
          },
        }
      : {}),
  };
}

/** What a records step made that others use: the health check and its alarm (for the dashboard). */
export interface DnsRecords {
  readonly healthCheckId?: pulumi.Output<string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
}

export class Dns extends PlatformComponent {
  readonly zoneId: pulumi.Output<string>;
  /** The created zone's name servers (set them as NS records in the parent domain); [] for an existing zone. */
  readonly nameServers: pulumi.Output<string[]>;
  /** key -> validated certificate ARN (usable once validation completes). */
  readonly certificateArns: Record<string, pulumi.Output<string>>;
  private readonly componentName: string;
  private readonly zoneArgs: DnsArgs;
  private readonly usEast1: pulumi.CustomResourceOptions;
  /** Record names and keys already given, so a second records step cannot clash with the first. */
  private readonly recordNames: string[] = [];
  private readonly recordKeys: string[] = [];
  private healthChecked = false;

  constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
    checkDnsArgs(name, args);
    super("agent-platform:index:Dns", name, "dns", opts);
    this.componentName = name;
    this.zoneArgs = {
      zoneName: args.zoneName,
      existingZoneId: args.existingZoneId,
      createZone: args.createZone,
      usEast1Provider: args.usEast1Provider,
      region: args.region,
    };
    this.usEast1 = args.usEast1Provider ? { parent: this, provider: args.usEast1Provider } : { parent: this };

    if (args.createZone) {
      const zone = new aws.route53.Zone(
        `${name}-zone`,
        { name: args.zoneName, comment: `${args.zoneName}: public names of the stack`, forceDestroy: false },
        { parent: this, protect: args.protect ?? false },
      );
      this.zoneId = zone.zoneId;
      this.nameServers = zone.nameServers;
    } else {
      this.zoneId = pulumi.output(args.existingZoneId!);
      this.nameServers = pulumi.output([]);
    }

    this.certificateArns = {};
    for (const request of args.certificates ?? []) {
      this.certificateArns[request.key] = this.certificate(
        `${name}-${request.key}-cert`,
        request,
        request.forCloudFront ? this.usEast1 : { parent: this },
      );
    }

    this.registerOutputs({
      zoneId: this.zoneId,
      nameServers: this.nameServers,
      certificateArns: this.certificateArns,
    });
  }

  /**
   * Alias records, the health check (with its alarm) and failover records, as children of this component.
   * Called once the targets exist (the distributions that took this component's certificates); the counts
   * come from `records`, plain values, never from an output. The component's own outputs (zone, name servers,
   * certificates) are final when the constructor returns: what a records step makes (the health check and its
   * alarm) is returned to the caller, not added to the component.
   */
  addRecords(records: DnsRecordsArgs): DnsRecords {
    const name = this.componentName;
    checkDnsArgs(name, { ...this.zoneArgs, ...records });
    const fail = (msg: string) => {
      throw new Error(`Dns ${name}: ${msg}`);
    };
    if (records.healthCheck && this.healthChecked) fail("the health check is given twice");
    const names = [
      ...(records.aliases ?? []).map((a) => a.name),
      ...(records.failover ? [records.failover.name] : []),
    ];
    const again = names.find((n) => this.recordNames.includes(n));
    if (again !== undefined) fail(`${again} already has alias records`);
    const keys = (records.aliases ?? []).map((a) => a.key);
    const keyAgain = keys.find((k) => this.recordKeys.includes(k));
    if (keyAgain !== undefined) fail(`the key ${keyAgain} is used twice`);
    this.recordNames.push(...names);
    this.recordKeys.push(...keys);

    for (const alias of records.aliases ?? []) {
      for (const type of alias.ipv6 === false ? ["A"] : ["A", "AAAA"]) {
        new aws.route53.Record(
          `${name}-${alias.key}-${type.toLowerCase()}`,
          {
            zoneId: this.zoneId,
            name: alias.name,
            type,
            aliases: [
              {
                name: alias.target.dnsName,
                zoneId: alias.target.zoneId,
                evaluateTargetHealth: alias.evaluateTargetHealth ?? false,
              },
            ],
          },
          { parent: this },
        );
      }
    }

    if (!records.healthCheck) return { alarms: [] };
    this.healthChecked = true;
    {
      const hc = records.healthCheck;
      const check = new aws.route53.HealthCheck(
        `${name}-health`,
        {
          type: "HTTPS",
          fqdn: hc.endpoint,
          port: 443,
          resourcePath: hc.path,
          // SNI with the endpoint's name: CloudFront and SNI-only load balancers refuse a handshake without it.
          enableSni: true,
          failureThreshold: hc.failureThreshold,
          requestInterval: 30,
          ...(hc.regions.length > 0 ? { regions: [...hc.regions] } : {}),
          tags: { Name: `${name}-health` },
        },
        { parent: this },
      );
      const alarm = new aws.cloudwatch.MetricAlarm(
        `${name}-health-alarm`,
        {
          alarmDescription: `${name}: the HTTPS health check of the primary endpoint fails (${hc.path})`,
          namespace: "AWS/Route53",
          metricName: "HealthCheckStatus",
          dimensions: { HealthCheckId: check.id },
          statistic: "Minimum",
          period: 60,
          evaluationPeriods: 2,
          threshold: 1,
          comparisonOperator: "LessThanThreshold",
          // No data means Route 53 stopped reporting: treated as unhealthy.
          treatMissingData: "breaching",
          alarmActions: [records.alarmTopicArn!],
          okActions: [records.alarmTopicArn!],
        },
        this.usEast1,
      );

      if (records.failover) {
        const f = records.failover;
        const roles = [
          { role: "PRIMARY", target: f.primary, healthCheckId: check.id },
          { role: "SECONDARY", target: f.secondary, healthCheckId: undefined },
        ];
        for (const { role, target, healthCheckId } of roles) {
          for (const type of ["A", "AAAA"]) {
            new aws.route53.Record(
              `${name}-${role.toLowerCase()}-${type.toLowerCase()}`,
              {
                zoneId: this.zoneId,
                name: f.name,
                type,
                setIdentifier: role.toLowerCase(),
                failoverRoutingPolicies: [{ type: role }],
                ...(healthCheckId ? { healthCheckId } : {}),
                // The secondary answers on its own health (CloudFront's alias health is always healthy).
                aliases: [
                  { name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: role === "SECONDARY" },
                ],
              },
              { parent: this },
            );
          }
        }
      }
      return { healthCheckId: check.id, alarms: [alarm] };
    }
  }

  /**
   * A DNS-validated certificate: one validation record per distinct name (a wildcard shares its base name's
   * record), then the CertificateValidation that waits for ACM to issue it.
   */
  private certificate(
    name: string,
    request: CertificateRequest,
    opts: pulumi.CustomResourceOptions,
  ): pulumi.Output<string> {
    const sans = request.subjectAlternativeNames ?? [];
    const certificate = new aws.acm.Certificate(
      name,
      {
        domainName: request.domainName,
        ...(sans.length > 0 ? { subjectAlternativeNames: [...sans] } : {}),
        validationMethod: "DNS",
        keyAlgorithm: "RSA_2048",
      },
      opts,
    );
    const fqdns = validationNames(request.domainName, sans).map((validated, i) => {
      const option = certificate.domainValidationOptions.apply((options) => {
        const o = options.find((v) => v.domainName === validated || v.domainName === `*.${validated}`);
        if (!o) throw new Error(`${name}: ACM returned no validation option for ${validated}`);
        return o;
      });
      // Route 53 is global: the record needs no regional provider.
      const record = new aws.route53.Record(
        `${name}-validation-${i}`,
        {
          zoneId: this.zoneId,
          name: option.apply((o) => o.resourceRecordName!),
          type: option.apply((o) => o.resourceRecordType!),
          records: [option.apply((o) => o.resourceRecordValue!)],
          ttl: 300,
          // ACM asks for the same record for the same name in every region: a regional and a CloudFront
          // certificate for one name share it.
          allowOverwrite: true,
        },
        { parent: this },
      );
      return record.fqdn;
    });
    const validation = new aws.acm.CertificateValidation(
      `${name}-validation`,
      { certificateArn: certificate.arn, validationRecordFqdns: fqdns },
      opts,
    );
    return validation.certificateArn;
  }
}
