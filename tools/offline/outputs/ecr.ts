import { MockTable } from "./context";

export const ECR_OUTPUTS: MockTable = {
  "aws:ecr/repository:Repository": (c) => {
    const { physical, region, accountId } = c;
    return {
      id: physical,
      arn: c.arn("ecr", `repository/${physical}`),
      repositoryUrl: `${accountId}.dkr.ecr.${region}.${c.dnsSuffix}/${physical}`,
      registryId: accountId,
    };
  },
};
