import { MockTable } from "./context";

export const DYNAMODB_OUTPUTS: MockTable = {
  "aws:dynamodb/table:Table": (c) => {
    const { inputs, physical } = c;
    return {
      id: physical,
      arn: c.arn("dynamodb", `table/${physical}`),
      streamArn: inputs["streamEnabled"]
        ? c.arn("dynamodb", `table/${physical}/stream/2026-01-01T00:00:00.000`)
        : undefined,
    };
  },
};
