// Composition root: config -> explicit AWS provider -> components -> a few stable outputs. No resource
// logic lives here; every per-stack difference comes from Pulumi.<stack>.yaml through config.ts.
import { Network } from "./components/network";
import { Observability } from "./components/observability";
import { Queues } from "./components/queues";
import { platformProvider } from "./components/tagging";
import { stackConfig } from "./config";

const config = stackConfig();
const provider = platformProvider("aws", config.region, config.tags);
const opts = { providers: { aws: provider } };

// First: every other component sends its alarms to this topic.
const observability = new Observability(
  "observability",
  {
    alertEmails: config.alertEmails,
    monthlyBudgetUsd: config.monthlyBudgetUsd,
    anomalyThresholdUsd: config.anomalyThresholdUsd,
    environment: config.environment,
    costAllocationTagKeys: config.costAllocationTagKeys,
  },
  opts,
);
const network = new Network(
  "network",
  { ...config.network, isolatedSubnets: config.data.databaseEnabled || config.data.cacheEnabled },
  opts,
);
const agentQueues = new Queues(
  "agents",
  { ...config.queues, alarmTopicArn: observability.alertsTopicArn },
  opts,
);

// Stack outputs are a public contract (other stacks and tools read them): rename only with care.
export const environment = config.environment;
export const alertsTopicArn = observability.alertsTopicArn;
export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const isolatedSubnetIds = network.isolatedSubnetIds;
/** name -> { url, arn, dlqUrl, dlqArn } */
export const queues = agentQueues.queues;
