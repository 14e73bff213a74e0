import { MockAnswer, MockTable } from "./context";

const byQueueUrl: MockAnswer = (c) => {
  const { inputs } = c;
  return { id: String(inputs["queueUrl"]) };
};

export const SQS_OUTPUTS: MockTable = {
  "aws:sqs/queuePolicy:QueuePolicy": byQueueUrl,
  "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": byQueueUrl,
  "aws:sqs/queue:Queue": (c) => {
    const { physical, region, accountId } = c;
    return {
      id: `https://sqs.${region}.${c.dnsSuffix}/${accountId}/${physical}`,
      url: `https://sqs.${region}.${c.dnsSuffix}/${accountId}/${physical}`,
      arn: c.arn("sqs", physical),
    };
  },
};
