import { buildConsole } from "../../console/build";
import { buildFunctions } from "../../lib/build-functions";

/*
 * Once per `npm test`, before any spec file loads (mocha's global setup; in parallel mode, in the main
 * process before the workers start): the function bundles every evaluation of the program deploys. Each
 * worker then reuses them (lib/build-functions.ts checks each input's hash) instead of rebuilding the same
 * directory at the same time as another worker.
 */
export async function mochaGlobalSetup(): Promise<void> {
  await buildFunctions();
  // The web console the Frontend uploads and the local runner serves: built once here, found by every worker.
  buildConsole();
}
