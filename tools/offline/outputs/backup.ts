import { MockTable, hex, uuid } from "./context";

export const BACKUP_OUTPUTS: MockTable = {
  "aws:backup/vault:Vault": (c) => {
    const { physical } = c;
    return { id: physical, name: physical, arn: c.arn("backup", `backup-vault:${physical}`) };
  },
  "aws:backup/plan:Plan": (c) => {
    const { seed } = c;
    const id = uuid(seed);
    return { id, arn: c.arn("backup", `backup-plan:${id}`), version: hex(seed, 32) };
  },
};
