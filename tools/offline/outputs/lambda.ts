import { MockTable, uuid } from "./context";

export const LAMBDA_OUTPUTS: MockTable = {
  "aws:lambda/function:Function": (c) => {
    const { inputs, physical, region } = c;
    const arn = c.arn("lambda", `function:${physical}`);
    return {
      id: physical,
      arn,
      // A published function's first version is 1 (what an alias on it points at).
      qualifiedArn: `${arn}:${inputs["publish"] ? "1" : "$LATEST"}`,
      invokeArn: `arn:${c.partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
      version: inputs["publish"] ? "1" : "$LATEST",
    };
  },
  "aws:lambda/alias:Alias": (c) => {
    const { inputs, physical, region } = c;
    const fn = String(inputs["functionName"]);
    const arn = fn.startsWith("arn:") ? `${fn}:${physical}` : c.arn("lambda", `function:${fn}:${physical}`);
    return {
      id: arn,
      arn,
      invokeArn: `arn:${c.partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
    };
  },
  "aws:lambda/eventSourceMapping:EventSourceMapping": (c) => {
    const { inputs, seed } = c;
    return { id: uuid(seed), uuid: uuid(seed), functionArn: inputs["functionName"] };
  },
};
