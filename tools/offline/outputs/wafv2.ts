import { MockTable, uuid } from "./context";

export const WAFV2_OUTPUTS: MockTable = {
  "aws:wafv2/webAcl:WebAcl": (c) => {
    const { inputs, seed, physical, region, accountId } = c;
    const id = uuid(seed);
    return {
      id,
      arn: `arn:${c.partition}:wafv2:${inputs["scope"] === "CLOUDFRONT" ? "us-east-1" : region}:${accountId}:${inputs["scope"] === "CLOUDFRONT" ? "global" : "regional"}/webacl/${physical}/${id}`,
      capacity: 700,
    };
  },
};
