import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as path from "path";
import {
  checkDnsArgs,
  Dns,
  DnsArgs,
  DnsRecords,
  DnsRecordsArgs,
  publicCertificates,
  publicRecords,
  PublicTargets,
  validationNames,
} from "../../components/dns";
import { readStack } from "../../tools/offline/stack-files";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { evaluate, named, ofType, REPO_ROOT } from "../helpers/offline";
import { stackEvaluation } from "../helpers/stacks";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const ZONE = "Z0123456789EXAMPLE0AB";
const cdn = { dnsName: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2" };
const site = { dnsName: "d222222abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2" };
const base: DnsArgs = { zoneName: "agents.example.com", existingZoneId: ZONE, region: "us-east-1" };

describe("Dns", function () {
  this.timeout(60_000);

  it("uses an existing zone: no zone resource, no name servers, nothing else by default", async () => {
    let dns: Dns | undefined;
    const { resources } = await evaluate(() => (dns = new Dns("dns", base)));
    assert.deepStrictEqual(
      resources.map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack"),
      ["agent-platform:index:Dns"],
    );
    assert.deepStrictEqual(await new Promise((res) => dns!.nameServers.apply(res)), []);
    assert.strictEqual(await new Promise((res) => dns!.zoneId.apply(res)), ZONE);
  });

  it("creates the zone, protected from config, and exports its name servers for delegation", async () => {
    let dns: Dns | undefined;
    const args: DnsArgs = {
      zoneName: "agents.example.com",
      createZone: true,
      region: "us-east-1",
      protect: true,
    };
    const { resources } = await evaluate(() => (dns = new Dns("dns", args)));
    const zone = named(resources, "dns-zone");
    assert.deepStrictEqual(
      [zone.inputs.name, zone.inputs.forceDestroy, zone.options.protect],
      ["agents.example.com", false, true],
    );
    assert.deepStrictEqual(await new Promise((res) => dns!.nameServers.apply(res)), [
      "ns-1.awsdns-01.org",
      "ns-2.awsdns-02.com",
    ]);
    assert.strictEqual(await new Promise((res) => dns!.zoneId.apply(res)), zone.outputs.zoneId);
  });

  it("issues DNS-validated certificates: CloudFront's in us-east-1, one validation record per name", async () => {
    let dns: Dns | undefined;
    const { resources } = await evaluate(() => {
      const usEast1 = new aws.Provider("use1", { region: "us-east-1" });
      dns = new Dns("dns", {
        ...base,
        region: "eu-west-1",
        usEast1Provider: usEast1,
        certificates: [
          { key: "cdn", domainName: "agents.example.com", forCloudFront: true },
          {
            key: "alb",
            domainName: "origin.agents.example.com",
            subjectAlternativeNames: ["*.origin.agents.example.com"],
          },
        ],
      });
    });
    const cdnCert = named(resources, "dns-cdn-cert");
    const albCert = named(resources, "dns-alb-cert");
    assert.deepStrictEqual(cdnCert.inputs.validationMethod, "DNS");
    assert.match(String(cdnCert.provider), /::use1::/);
    // The stack's own provider: under the offline evaluation of a component alone, the engine's default one.
    assert.match(String(albCert.provider), /::pulumi:providers:aws::default_\d+_\d+_\d+::/);
    assert.deepStrictEqual(albCert.inputs.subjectAlternativeNames, ["*.origin.agents.example.com"]);

    // The wildcard shares its base name's record: one record per certificate here.
    // Registered once ACM returns the options, in no fixed order: sorted by name.
    const records = ofType(resources, "aws:route53/record:Record").sort((a, b) =>
      b.name.localeCompare(a.name),
    );
    assert.deepStrictEqual(
      records.map((r) => r.name),
      ["dns-cdn-cert-validation-0", "dns-alb-cert-validation-0"],
    );
    const option = (cdnCert.outputs.domainValidationOptions as Record<string, string>[])[0];
    assert.deepStrictEqual(records[0].inputs, {
      zoneId: ZONE,
      name: option.resourceRecordName,
      type: "CNAME",
      records: [option.resourceRecordValue],
      ttl: 300,
      allowOverwrite: true,
    });
    // The validation waits for the record, in the certificate's region, and its ARN is what callers get.
    const validation = named(resources, "dns-cdn-cert-validation");
    assert.deepStrictEqual(validation.inputs, {
      certificateArn: cdnCert.outputs.arn,
      validationRecordFqdns: [records[0].outputs.fqdn],
    });
    assert.match(String(validation.provider), /::use1::/);
    assert.strictEqual(await new Promise((res) => dns!.certificateArns.cdn.apply(res)), cdnCert.outputs.arn);
  });

  it("adds A and AAAA alias records for the given targets (A only when ipv6 is false)", async () => {
    const { resources } = await evaluate(() =>
      new Dns("dns", base).addRecords({
        aliases: [
          { key: "web", name: "agents.example.com", target: cdn },
          { key: "app", name: "app.agents.example.com", target: site, ipv6: false },
        ],
      }),
    );
    const records = ofType(resources, "aws:route53/record:Record");
    assert.deepStrictEqual(
      records.map((r) => [r.name, r.inputs.name, r.inputs.type, r.inputs.aliases]),
      [
        [
          "dns-web-a",
          "agents.example.com",
          "A",
          [{ name: cdn.dnsName, zoneId: cdn.zoneId, evaluateTargetHealth: false }],
        ],
        [
          "dns-web-aaaa",
          "agents.example.com",
          "AAAA",
          [{ name: cdn.dnsName, zoneId: cdn.zoneId, evaluateTargetHealth: false }],
        ],
        [
          "dns-app-a",
          "app.agents.example.com",
          "A",
          [{ name: site.dnsName, zoneId: site.zoneId, evaluateTargetHealth: false }],
        ],
      ],
    );
    assert.ok(records.every((r) => r.inputs.zoneId === ZONE));
  });

  it("checks the primary endpoint over HTTPS, fails over to the secondary, and alarms in us-east-1", async () => {
    const { resources } = await evaluate(() =>
      new Dns("dns", base).addRecords({
        healthCheck: {
          endpoint: cdn.dnsName,
          path: "/health",
          failureThreshold: 3,
          regions: ["us-east-1", "us-west-2", "eu-west-1"],
        },
        failover: { name: "agents.example.com", primary: cdn, secondary: site },
        alarmTopicArn: TOPIC,
      }),
    );
    const check = named(resources, "dns-health");
    assert.deepStrictEqual(check.inputs, {
      type: "HTTPS",
      fqdn: cdn.dnsName,
      port: 443,
      resourcePath: "/health",
      enableSni: true,
      failureThreshold: 3,
      requestInterval: 30,
      regions: ["us-east-1", "us-west-2", "eu-west-1"],
      tags: { Function: "dns", Name: "dns-health" },
    });
    const records = ofType(resources, "aws:route53/record:Record").sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    assert.deepStrictEqual(
      records.map((r) => [
        r.name,
        r.inputs.type,
        r.inputs.setIdentifier,
        r.inputs.failoverRoutingPolicies,
        r.inputs.healthCheckId,
        (r.inputs.aliases as { name: string; evaluateTargetHealth: boolean }[]).map((a) => [
          a.name,
          a.evaluateTargetHealth,
        ]),
      ]),
      [
        [
          "dns-primary-a",
          "A",
          "primary",
          [{ type: "PRIMARY" }],
          check.outputs.id ?? check.id,
          [[cdn.dnsName, false]],
        ],
        [
          "dns-primary-aaaa",
          "AAAA",
          "primary",
          [{ type: "PRIMARY" }],
          check.outputs.id ?? check.id,
          [[cdn.dnsName, false]],
        ],
        ["dns-secondary-a", "A", "secondary", [{ type: "SECONDARY" }], undefined, [[site.dnsName, true]]],
        [
          "dns-secondary-aaaa",
          "AAAA",
          "secondary",
          [{ type: "SECONDARY" }],
          undefined,
          [[site.dnsName, true]],
        ],
      ],
    );
    const alarm = named(resources, "dns-health-alarm");
    assert.deepStrictEqual(
      [
        alarm.inputs.namespace,
        alarm.inputs.metricName,
        alarm.inputs.dimensions,
        alarm.inputs.statistic,
        alarm.inputs.threshold,
        alarm.inputs.comparisonOperator,
        alarm.inputs.evaluationPeriods,
        alarm.inputs.treatMissingData,
        alarm.inputs.alarmActions,
        alarm.inputs.okActions,
      ],
      [
        "AWS/Route53",
        "HealthCheckStatus",
        { HealthCheckId: check.outputs.id ?? check.id },
        "Minimum",
        1,
        "LessThanThreshold",
        2,
        "breaching",
        [TOPIC],
        [TOPIC],
      ],
    );
  });

  it("refuses names outside the zone, clashing records, failover without a check, and a zone given twice", () => {
    const msg = (args: Partial<DnsArgs & DnsRecordsArgs>) => {
      try {
        checkDnsArgs("dns", { ...base, ...args } as DnsArgs & DnsRecordsArgs);
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    };
    assert.strictEqual(
      msg({ aliases: [{ key: "web", name: "agents.example.org", target: cdn }] }),
      "Dns dns: agents.example.org is not under the zone agents.example.com",
    );
    assert.strictEqual(
      msg({ certificates: [{ key: "c", domainName: "badagents.example.com" }] }),
      "Dns dns: badagents.example.com is not under the zone agents.example.com",
    );
    assert.strictEqual(
      msg({ createZone: true }),
      "Dns dns: give exactly one of existingZoneId and createZone",
    );
    assert.strictEqual(
      msg({ existingZoneId: undefined }),
      "Dns dns: give exactly one of existingZoneId and createZone",
    );
    assert.strictEqual(
      msg({ failover: { name: "agents.example.com", primary: cdn, secondary: site } }),
      "Dns dns: failover needs healthCheck (it decides the PRIMARY record)",
    );
    const healthCheck = { endpoint: cdn.dnsName, path: "/", failureThreshold: 3, regions: [] };
    assert.strictEqual(
      msg({
        healthCheck,
        alarmTopicArn: TOPIC,
        aliases: [{ key: "web", name: "agents.example.com", target: cdn }],
        failover: { name: "agents.example.com", primary: cdn, secondary: site },
      }),
      "Dns dns: agents.example.com has two alias records (an alias and failover, or two aliases)",
    );
    assert.strictEqual(
      msg({ healthCheck }),
      "Dns dns: a health check needs alarmTopicArn (a us-east-1 topic) so someone hears when the endpoint fails",
    );
    assert.strictEqual(
      msg({
        region: "eu-west-1",
        certificates: [{ key: "cdn", domainName: "agents.example.com", forCloudFront: true }],
      }),
      "Dns dns: CloudFront certificates and Route 53 health-check metrics live in us-east-1, and the stack is in eu-west-1; pass usEast1Provider",
    );
    assert.deepStrictEqual(validationNames("a.example.com", ["*.a.example.com", "b.example.com"]), [
      "a.example.com",
      "b.example.com",
    ]);
  });
  describe("the stack's public names (index.ts: Dns first, the components, then addRecords)", () => {
    const alb = { dnsName: "web-alb-0123.us-east-1.elb.amazonaws.com", zoneId: "Z35SXDOTRQ7X7K" };
    const standby = { dnsName: "dualstack.standby-1.us-west-2.elb.amazonaws.com", zoneId: "Z1H1FL5HABSF5" };
    const healthCheck = { path: "/", failureThreshold: 3, regions: [] as string[] };
    const targets: PublicTargets = {
      web: {
        name: "agents.example.com",
        cloudfrontDomainName: cdn.dnsName,
        albDnsName: alb.dnsName,
        albZoneId: alb.zoneId,
      },
      frontend: { name: "app.agents.example.com", cloudfrontDomainName: site.dnsName },
      healthCheck,
      alarmTopicArn: TOPIC,
    };
    const summary = (records: RegisteredResource[]) =>
      records
        .filter((r) => !r.name.includes("-validation-"))
        .map((r) => [r.name, r.inputs.name, r.inputs.type, r.inputs.setIdentifier, r.inputs.aliases])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

    it("issues the web name's and the frontend's certificates in us-east-1 and the origin's in the region", async () => {
      const { resources } = await evaluate(
        () => {
          const usEast1 = new aws.Provider("use1", { region: "us-east-1" });
          new Dns("dns", {
            ...base,
            region: "eu-west-1",
            usEast1Provider: usEast1,
            certificates: publicCertificates({
              web: "agents.example.com",
              frontend: "app.agents.example.com",
            }),
          });
        },
        { region: "eu-west-1" },
      );
      const certs = ofType(resources, "aws:acm/certificate:Certificate").map((c) => [
        c.name,
        c.inputs.domainName,
        c.inputs.subjectAlternativeNames,
        /::use1::/.test(c.provider ?? ""),
      ]);
      // Registered in no fixed order (the provider resolves first): sorted by name.
      assert.deepStrictEqual(certs.sort(), [
        ["dns-frontend-cert", "app.agents.example.com", undefined, true],
        ["dns-web-cert", "agents.example.com", undefined, true],
        ["dns-web-origin-cert", "origin.agents.example.com", undefined, false],
      ]);
      assert.match(named(resources, "dns-web-origin-cert").outputs.arn as string, /^arn:aws:acm:eu-west-1:/);
      assert.deepStrictEqual(
        ofType(resources, "aws:acm/certificateValidation:CertificateValidation")
          .map((v) => [v.name, /::use1::/.test(v.provider ?? "")])
          .sort(),
        [
          ["dns-frontend-cert-validation", true],
          ["dns-web-cert-validation", true],
          ["dns-web-origin-cert-validation", false],
        ],
      );
      assert.deepStrictEqual(
        ofType(resources, "aws:route53/record:Record")
          .map((r) => [r.name, r.inputs.zoneId, r.inputs.ttl, r.inputs.allowOverwrite])
          .sort(),
        [
          ["dns-frontend-cert-validation-0", ZONE, 300, true],
          ["dns-web-cert-validation-0", ZONE, 300, true],
          ["dns-web-origin-cert-validation-0", ZONE, 300, true],
        ],
      );
      assert.deepStrictEqual(publicCertificates({}), []);
    });

    it("points the names at the distributions and origin.<name> at the ALB (A only, on its health)", async () => {
      let records: DnsRecords | undefined;
      const { resources } = await evaluate(() => {
        records = new Dns("dns", base).addRecords(publicRecords(targets));
      });
      const toCdn = [{ name: cdn.dnsName, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }];
      const toSite = [{ name: site.dnsName, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }];
      assert.deepStrictEqual(summary(ofType(resources, "aws:route53/record:Record")), [
        ["dns-frontend-a", "app.agents.example.com", "A", undefined, toSite],
        ["dns-frontend-aaaa", "app.agents.example.com", "AAAA", undefined, toSite],
        ["dns-web-a", "agents.example.com", "A", undefined, toCdn],
        ["dns-web-aaaa", "agents.example.com", "AAAA", undefined, toCdn],
        [
          "dns-web-origin-a",
          "origin.agents.example.com",
          "A",
          undefined,
          [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
        ],
      ]);
      assert.strictEqual(named(resources, "dns-health").inputs.fqdn, cdn.dnsName);
      assert.deepStrictEqual(
        records!.alarms.length,
        1,
        "the health-check alarm reaches the dashboard through the records step's alarms",
      );
    });

    it("with failover: the web name is PRIMARY (distribution, health check) / SECONDARY (standby), no plain alias", async () => {
      const { resources } = await evaluate(() => {
        new Dns("dns", base).addRecords(
          publicRecords({
            ...targets,
            failover: { secondaryTarget: standby.dnsName, secondaryZoneId: standby.zoneId },
          }),
        );
      });
      const check = named(resources, "dns-health");
      const records = summary(ofType(resources, "aws:route53/record:Record"));
      assert.deepStrictEqual(
        records.map((r) => r[0]),
        [
          "dns-frontend-a",
          "dns-frontend-aaaa",
          "dns-primary-a",
          "dns-primary-aaaa",
          "dns-secondary-a",
          "dns-secondary-aaaa",
          "dns-web-origin-a",
        ],
      );
      for (const type of ["a", "aaaa"]) {
        const primary = named(resources, `dns-primary-${type}`).inputs;
        const secondary = named(resources, `dns-secondary-${type}`).inputs;
        assert.deepStrictEqual(
          [primary.name, primary.healthCheckId, primary.failoverRoutingPolicies, primary.aliases],
          [
            "agents.example.com",
            check.outputs.id ?? check.id,
            [{ type: "PRIMARY" }],
            [{ name: cdn.dnsName, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }],
          ],
        );
        assert.deepStrictEqual(
          [secondary.name, secondary.healthCheckId, secondary.failoverRoutingPolicies, secondary.aliases],
          [
            "agents.example.com",
            undefined,
            [{ type: "SECONDARY" }],
            [{ name: standby.dnsName, zoneId: standby.zoneId, evaluateTargetHealth: true }],
          ],
        );
      }
    });

    it("a created zone: no names yet, only the health check of the distribution", () => {
      assert.deepStrictEqual(
        publicRecords({ ...targets, web: { ...targets.web!, name: undefined }, frontend: undefined }),
        {
          aliases: [],
          healthCheck: { ...healthCheck, endpoint: cdn.dnsName },
          alarmTopicArn: TOPIC,
        },
      );
    });

    it("refuses a records step that repeats a name, a key or the health check", async () => {
      const errors: string[] = [];
      await evaluate(() => {
        const dns = new Dns("dns", base);
        dns.addRecords({ aliases: [{ key: "web", name: "agents.example.com", target: cdn }] });
        const attempts: Parameters<Dns["addRecords"]>[0][] = [
          { aliases: [{ key: "other", name: "agents.example.com", target: site }] },
          { aliases: [{ key: "web", name: "www.agents.example.com", target: site }] },
          { healthCheck: { ...healthCheck, endpoint: cdn.dnsName }, alarmTopicArn: TOPIC },
          { healthCheck: { ...healthCheck, endpoint: cdn.dnsName }, alarmTopicArn: TOPIC },
          { aliases: [{ key: "x", name: "agents.example.org", target: site }] },
        ];
        for (const a of attempts) {
          try {
            dns.addRecords(a);
          } catch (e) {
            errors.push((e as Error).message);
          }
        }
      });
      assert.deepStrictEqual(errors, [
        "Dns dns: agents.example.com already has alias records",
        "Dns dns: the key web is used twice",
        "Dns dns: the health check is given twice",
        "Dns dns: agents.example.org is not under the zone agents.example.com",
      ]);
    });

    it("the whole program (prod): the components serve Dns's certificates and own no certificate or record", async () => {
      this.timeout(240_000);
      const input = readStack(REPO_ROOT, "prod");
      const run = (changes: Record<string, string>) =>
        evaluate(path.join(REPO_ROOT, "index.ts"), {
          stack: "prod",
          config: { ...input.config, ...changes },
          secretKeys: input.secretKeys,
          region: input.region,
        });
      const { resources } = await stackEvaluation("prod");
      const byUrn = new Map(resources.map((r) => [r.urn, r]));
      const owner = (r: RegisteredResource) => byUrn.get(r.parent ?? "")?.name;
      // Certificates, zones and records (health checks that only measure uptime belong to SuccessMetrics).
      for (const r of resources.filter((x) => /^aws:(acm\/|route53\/(zone|record):)/.test(x.type)))
        assert.ok(["dns", "email", "eks"].includes(owner(r) ?? ""), `${r.name} belongs to ${owner(r)}`);
      const validated = (key: string) =>
        named(resources, `dns-${key}-cert-validation`).outputs.certificateArn ??
        named(resources, `dns-${key}-cert`).outputs.arn;
      const viewer = (name: string) =>
        (named(resources, name).inputs.viewerCertificate as { acmCertificateArn: string }).acmCertificateArn;
      assert.strictEqual(viewer("web-cdn"), validated("web"));
      assert.strictEqual(viewer("frontend-cdn"), validated("frontend"));
      assert.strictEqual(named(resources, "web-https").inputs.certificateArn, validated("web-origin"));
      assert.deepStrictEqual(named(resources, "web-cdn").inputs.aliases, ["agents.example.com"]);
      assert.deepStrictEqual(named(resources, "frontend-cdn").inputs.aliases, ["app.agents.example.com"]);
      const cdnName = named(resources, "web-cdn").outputs.domainName;
      assert.deepStrictEqual(
        (named(resources, "dns-web-a").inputs.aliases as { name: string }[])[0].name,
        cdnName,
      );
      assert.strictEqual(named(resources, "dns-health").inputs.fqdn, cdnName);
      assert.deepStrictEqual(
        ofType(resources, "aws:route53/record:Record")
          .filter((r) => r.inputs.failoverRoutingPolicies)
          .map((r) => r.name),
        [],
      );

      const failover = await run({
        "agent-platform:dnsFailoverEnabled": "true",
        "agent-platform:dnsFailoverSecondaryTarget": standby.dnsName,
        "agent-platform:dnsFailoverSecondaryZoneId": standby.zoneId,
      });
      const records = ofType(failover.resources, "aws:route53/record:Record").filter(
        (r) => r.inputs.name === "agents.example.com",
      );
      assert.deepStrictEqual(records.map((r) => r.name).sort(), [
        "dns-primary-a",
        "dns-primary-aaaa",
        "dns-secondary-a",
        "dns-secondary-aaaa",
      ]);
    });
  });
});
