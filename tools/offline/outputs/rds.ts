import { MockTable, hex, uuid } from "./context";

export const RDS_OUTPUTS: MockTable = {
  "aws:rds/instance:Instance": (c) => {
    const { inputs, seed, physical, region } = c;
    return {
      id: `db-${hex(seed, 26).toUpperCase()}`,
      arn: c.arn("rds", `db:${physical}`),
      address: `${physical}.${hex(seed, 12)}.${region}.rds.${c.dnsSuffix}`,
      endpoint: `${physical}.${hex(seed, 12)}.${region}.rds.${c.dnsSuffix}:5432`,
      port: 5432,
      resourceId: `db-${hex(seed, 26).toUpperCase()}`,
      // The secret RDS creates for a managed master password: name rds!db-<uuid>, plus Secrets Manager's suffix.
      ...(inputs.manageMasterUserPassword
        ? {
            masterUserSecrets: [
              {
                secretArn: c.arn("secretsmanager", `secret:rds!db-${uuid(seed)}-${hex(seed + "s", 6)}`),
                kmsKeyId: inputs.masterUserSecretKmsKeyId,
                secretStatus: "active",
              },
            ],
          }
        : {}),
    };
  },
};
