// Composition root: config -> explicit AWS provider -> components -> a few stable outputs. No resource
// logic lives here; every per-stack difference comes from Pulumi.<stack>.yaml through config.ts.
import { Alerts } from "./components/alerts";
import { platformProvider } from "./components/tagging";
import { stackConfig } from "./config";

const config = stackConfig();
const provider = platformProvider("aws", config.region, config.tags);
const opts = { providers: { aws: provider } };

const alerts = new Alerts("alerts", { emails: config.alertEmails }, opts);

// Stack outputs are a public contract (other stacks and tools read them): rename only with care.
export const environment = config.environment;
export const alertsTopicArn = alerts.topicArn;
