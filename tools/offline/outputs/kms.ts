import { MockTable, uuid } from "./context";

export const KMS_OUTPUTS: MockTable = {
  "aws:kms/key:Key": (c) => {
    const { seed } = c;
    const keyId = uuid(seed);
    return { id: keyId, keyId, arn: c.arn("kms", `key/${keyId}`) };
  },
  "aws:kms/alias:Alias": (c) => {
    const { inputs, physical } = c;
    return { id: physical, arn: c.arn("kms", physical), targetKeyArn: inputs["targetKeyId"] };
  },
};
