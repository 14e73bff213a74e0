import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { checkDnsArgs, Dns, DnsArgs, validationNames } from "../../components/dns";
import { evaluate, named, ofType } from "../helpers/offline";

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
    assert.strictEqual(albCert.provider, undefined);
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
    const { resources } = await evaluate(
      () =>
        new Dns("dns", {
          ...base,
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
    const { resources } = await evaluate(
      () =>
        new Dns("dns", {
          ...base,
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
    const msg = (args: Partial<DnsArgs>) => {
      try {
        checkDnsArgs("dns", { ...base, ...args } as DnsArgs);
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
});
