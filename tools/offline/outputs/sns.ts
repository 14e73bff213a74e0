import { MockTable } from "./context";

export const SNS_OUTPUTS: MockTable = {
  "aws:sns/topic:Topic": (c) => {
    const { physical } = c;
    return { id: c.arn("sns", physical), arn: c.arn("sns", physical) };
  },
};
