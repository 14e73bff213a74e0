import * as assert from "assert";
import { configIssues, K, loadStack } from "../helpers/config";

describe("dns config", () => {
  it("prod: the existing agents.example.com zone, an HTTPS health check from three regions; no DNS elsewhere", () => {
    const prod = loadStack("prod");
    assert.deepStrictEqual(prod.dns, {
      zoneName: "agents.example.com",
      existingZoneId: "Z0123456789EXAMPLE0AB",
      createZone: false,
      domainName: "agents.example.com",
      healthCheck: { path: "/", failureThreshold: 3, regions: ["us-east-1", "us-west-2", "eu-west-1"] },
    });
    assert.deepStrictEqual(prod.domain, {
      name: "agents.example.com",
      hostedZoneId: "Z0123456789EXAMPLE0AB",
    });
    assert.strictEqual(loadStack("dev").dns, undefined);
    assert.strictEqual(loadStack("staging").dns, undefined);
  });

  it("creates the zone when asked: no hostedZoneId, so no DomainConfig for the web service", () => {
    const created = {
      [K("hostedZoneId")]: "",
      [K("createHostedZone")]: "true",
      [K("hostedZoneName")]: "example.com",
    };
    // The EKS sample app needs a certificate, which a zone that is not delegated yet cannot validate.
    const c = loadStack("prod", { ...created, [K("eksSampleAppEnabled")]: "false" });
    assert.deepStrictEqual(
      [c.dns?.createZone, c.dns?.zoneName, c.dns?.existingZoneId, c.domain],
      [true, "example.com", undefined, undefined],
    );
    assert.deepStrictEqual(configIssues("prod", created), [
      "agent-platform:eksSampleAppEnabled = true: needs a certificate for the sample Ingress's HTTPS listener: a " +
        "domain (k8s.<domain> is issued) or eksCertificateArn",
    ]);
  });

  it("refuses a domain not under the zone, a missing apex, and a zone given twice", () => {
    assert.deepStrictEqual(configIssues("prod", { [K("hostedZoneName")]: "example.org" }), [
      'agent-platform:domainName = "agents.example.com": must be example.org or a name under it (hostedZoneName)',
    ]);
    assert.deepStrictEqual(configIssues("prod", { [K("hostedZoneName")]: "" }), [
      "agent-platform:hostedZoneName = undefined: is required when domainName is set (the apex of the zone, e.g. example.com)",
    ]);
    assert.deepStrictEqual(configIssues("prod", { [K("createHostedZone")]: "true" }), [
      'agent-platform:hostedZoneId = "Z0123456789EXAMPLE0AB": must be empty when createHostedZone is true (the stack creates the zone)',
    ]);
    assert.deepStrictEqual(configIssues("prod", { [K("hostedZoneId")]: "z-bad" }), [
      'agent-platform:hostedZoneId = "z-bad": must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ',
    ]);
    assert.deepStrictEqual(configIssues("prod", { [K("frontendDomainName")]: "app.example.net" }), [
      'agent-platform:frontendDomainName = "app.example.net": must be agents.example.com or a name under it (hostedZoneName)',
    ]);
  });

  it("refuses DNS keys without domainName and a bad health check", () => {
    assert.deepStrictEqual(
      configIssues("staging", {
        [K("hostedZoneName")]: "example.com",
        [K("createHostedZone")]: "true",
        [K("dnsHealthCheckEnabled")]: "true",
      }),
      [
        'agent-platform:hostedZoneName = "example.com": is only used with domainName; set domainName or remove it',
        "agent-platform:createHostedZone = true: needs domainName (the name the zone holds)",
        "agent-platform:dnsHealthCheckEnabled = true: needs domainName (the endpoint it checks)",
      ],
    );
    assert.deepStrictEqual(
      configIssues("prod", {
        [K("dnsHealthCheckPath")]: "health",
        [K("dnsHealthCheckFailureThreshold")]: "11",
        [K("dnsHealthCheckRegions")]: '["us-east-1","mars-1"]',
      }),
      [
        'agent-platform:dnsHealthCheckPath = "health": must be a path starting with / (at most 255 characters, no spaces)',
        "agent-platform:dnsHealthCheckFailureThreshold = 11: must be between 1 and 10",
        'agent-platform:dnsHealthCheckRegions[1] = "mars-1": must be one of us-east-1, us-west-1, us-west-2, eu-west-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, sa-east-1',
        'agent-platform:dnsHealthCheckRegions = ["us-east-1","mars-1"]: must name at least 3 regions (or none for Route 53\'s default)',
      ],
    );
  });
  it("failover: off by default; on, the standby becomes the SECONDARY target", () => {
    assert.strictEqual(loadStack("prod").dns?.failover, undefined);
    const c = loadStack("prod", {
      [K("dnsFailoverEnabled")]: "true",
      [K("dnsFailoverSecondaryTarget")]: "dualstack.standby-1.us-west-2.elb.amazonaws.com",
      [K("dnsFailoverSecondaryZoneId")]: "Z1H1FL5HABSF5",
    });
    assert.deepStrictEqual(c.dns?.failover, {
      secondaryTarget: "dualstack.standby-1.us-west-2.elb.amazonaws.com",
      secondaryZoneId: "Z1H1FL5HABSF5",
    });
  });

  it("refuses failover without its target, health check or existing zone, and a CloudFront secondary", () => {
    assert.deepStrictEqual(configIssues("prod", { [K("dnsFailoverEnabled")]: "true" }), [
      "agent-platform:dnsFailoverSecondaryTarget = undefined: is required when dnsFailoverEnabled is true (the standby's DNS name, e.g. a load balancer in another region)",
      "agent-platform:dnsFailoverSecondaryZoneId = undefined: is required when dnsFailoverEnabled is true (the standby's alias hosted zone id, e.g. a load balancer's canonicalHostedZoneId)",
    ]);
    assert.deepStrictEqual(
      configIssues("prod", {
        [K("dnsFailoverEnabled")]: "true",
        [K("dnsHealthCheckEnabled")]: "false",
        [K("dnsFailoverSecondaryTarget")]: "Not A Name",
        [K("dnsFailoverSecondaryZoneId")]: "Z2FDTNDATAQYW2",
      }),
      [
        "agent-platform:dnsFailoverEnabled = true: needs dnsHealthCheckEnabled (the health check decides when the SECONDARY answers)",
        'agent-platform:dnsFailoverSecondaryTarget = "Not A Name": must be a DNS name such as dualstack.standby-123.us-west-2.elb.amazonaws.com',
        'agent-platform:dnsFailoverSecondaryZoneId = "Z2FDTNDATAQYW2": must not be CloudFront\'s: domainName belongs to the web distribution and CloudFront serves a name from one distribution only; use a load balancer or API Gateway regional endpoint that has a certificate for domainName',
      ],
    );
    assert.deepStrictEqual(
      configIssues("prod", {
        [K("hostedZoneId")]: "",
        [K("createHostedZone")]: "true",
        [K("eksSampleAppEnabled")]: "false",
        [K("dnsFailoverEnabled")]: "true",
        [K("dnsFailoverSecondaryTarget")]: "standby.example.net",
        [K("dnsFailoverSecondaryZoneId")]: "zone-1",
      }),
      [
        "agent-platform:dnsFailoverEnabled = true: needs hostedZoneId (an existing zone): with createHostedZone the web service has no certificate or records until the zone is delegated",
        'agent-platform:dnsFailoverSecondaryZoneId = "zone-1": must be a Route 53 hosted zone id such as Z1H1FL5HABSF5',
      ],
    );
    assert.deepStrictEqual(
      configIssues("staging", {
        [K("dnsFailoverEnabled")]: "true",
        [K("dnsFailoverSecondaryTarget")]: "standby.example.net",
      }),
      ["agent-platform:dnsFailoverEnabled = true: needs domainName (the name whose records fail over)"],
    );
    assert.deepStrictEqual(configIssues("prod", { [K("dnsFailoverSecondaryZoneId")]: "Z1H1FL5HABSF5" }), [
      'agent-platform:dnsFailoverSecondaryZoneId = "Z1H1FL5HABSF5": is only used with dnsFailoverEnabled',
    ]);
  });
});
