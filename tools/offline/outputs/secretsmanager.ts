import { MockTable, hex, uuid } from "./context";

export const SECRETSMANAGER_OUTPUTS: MockTable = {
  "aws:secretsmanager/secret:Secret": (c) => {
    const { seed, physical } = c;
    return {
      id: c.arn("secretsmanager", `secret:${physical}-${hex(seed, 6)}`),
      arn: c.arn("secretsmanager", `secret:${physical}-${hex(seed, 6)}`),
    };
  },
  "aws:secretsmanager/secretVersion:SecretVersion": (c) => {
    const { inputs, seed } = c;
    return { id: `${String(inputs["secretId"])}|${uuid(seed)}`, versionId: uuid(seed) };
  },
};
