import { MockTable, hex, uuid } from "./context";

export const ROUTE53_OUTPUTS: MockTable = {
  "aws:route53/zone:Zone": (c) => {
    const { seed } = c;
    return {
      id: `Z${hex(seed, 20).toUpperCase()}`,
      zoneId: `Z${hex(seed, 20).toUpperCase()}`,
      nameServers: ["ns-1.awsdns-01.org", "ns-2.awsdns-02.com"],
    };
  },
  "aws:route53/record:Record": (c) => {
    const { inputs } = c;
    return {
      id: `${String(inputs["zoneId"])}_${String(inputs["name"])}_${String(inputs["type"])}`,
      fqdn: String(inputs["name"]).replace(/\.$/, ""),
    };
  },
  "aws:route53/healthCheck:HealthCheck": (c) => {
    const { seed } = c;
    const id = uuid(seed);
    return { id, arn: `arn:${c.partition}:route53:::healthcheck/${id}` };
  },
};
