import { MockAnswer, MockTable, digits, hex } from "./context";

const listenerRule: MockAnswer = (c) => {
  const { seed } = c;
  return {
    id: c.arn("elasticloadbalancing", `listener-rule/app/${hex(seed, 16)}/${hex(seed + "r", 16)}`),
    arn: c.arn("elasticloadbalancing", `listener-rule/app/${hex(seed, 16)}/${hex(seed + "r", 16)}`),
  };
};

const listener: MockAnswer = (c) => {
  const { seed } = c;
  return {
    id: c.arn("elasticloadbalancing", `listener/app/${hex(seed, 16)}`),
    arn: c.arn("elasticloadbalancing", `listener/app/${hex(seed, 16)}`),
  };
};

const targetGroup: MockAnswer = (c) => {
  const { seed, physical } = c;
  const suffix = `targetgroup/${physical}/${hex(seed, 16)}`;
  return {
    id: c.arn("elasticloadbalancing", suffix),
    arn: c.arn("elasticloadbalancing", suffix),
    arnSuffix: suffix,
  };
};

const loadBalancer: MockAnswer = (c) => {
  const { seed, physical, region } = c;
  const suffix = `app/${physical}/${hex(seed, 16)}`;
  return {
    id: c.arn("elasticloadbalancing", `loadbalancer/${suffix}`),
    arn: c.arn("elasticloadbalancing", `loadbalancer/${suffix}`),
    arnSuffix: suffix,
    dnsName: `${physical}-${digits(seed, 10)}.${region}.elb.${c.dnsSuffix}`,
    zoneId: "Z35SXDOTRQ7X7K",
  };
};

export const LB_OUTPUTS: MockTable = {
  "aws:lb/loadBalancer:LoadBalancer": loadBalancer,
  "aws:alb/loadBalancer:LoadBalancer": loadBalancer,
  "aws:lb/targetGroup:TargetGroup": targetGroup,
  "aws:alb/targetGroup:TargetGroup": targetGroup,
  "aws:lb/listener:Listener": listener,
  "aws:alb/listener:Listener": listener,
  "aws:lb/listenerRule:ListenerRule": listenerRule,
  "aws:alb/listenerRule:ListenerRule": listenerRule,
};
