import { MockTable, hex } from "./context";

export const IAM_OUTPUTS: MockTable = {
  "aws:iam/role:Role": (c) => {
    const { inputs, seed, physical } = c;
    return {
      id: physical,
      arn: c.arn("iam", `role/${String(inputs["path"] ?? "/").replace(/^\//, "")}${physical}`, {
        global: true,
      }),
      uniqueId: `AROA${hex(seed, 17).toUpperCase()}`,
    };
  },
  "aws:iam/policy:Policy": (c) => {
    const { seed, physical } = c;
    return {
      id: c.arn("iam", `policy/${physical}`, { global: true }),
      arn: c.arn("iam", `policy/${physical}`, { global: true }),
      policyId: `ANPA${hex(seed, 17).toUpperCase()}`,
    };
  },
  "aws:iam/rolePolicy:RolePolicy": (c) => {
    const { inputs, physical } = c;
    return { id: `${String(inputs["role"])}:${physical}` };
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (c) => {
    const { inputs } = c;
    const host = String(inputs["url"] ?? "").replace(/^https:\/\//, "");
    return {
      id: c.arn("iam", `oidc-provider/${host}`, { global: true }),
      arn: c.arn("iam", `oidc-provider/${host}`, { global: true }),
    };
  },
};
