import { group } from "../stryker.base.mjs";

// The agent workflow's event routing, the WebSocket ticket's verification and the message log replayed on resume.
export default group("workflow", {
  mutate: ["contracts/routing.ts", "functions/shared/ticket.ts", "functions/shared/project-log.ts"],
  specs: [
    "test/contracts/routing.spec.ts",
    "test/contracts/routing-table.spec.ts",
    "test/functions/ticket.spec.ts",
    "test/functions/ticket-rules.spec.ts",
    "test/functions/project-log.spec.ts",
    "test/functions/project-log-rules.spec.ts",
  ],
});
