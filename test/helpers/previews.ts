import type { StackReport } from "../../tools/offline/preview";
import { listStacks } from "../../tools/offline/stack-files";
import { REPO_ROOT } from "./offline";
import { stackReport } from "./stacks";

/** One offline preview of every stack per test run, shared by the suites that read it (it is the slow part). */
export const allPreviews = (): Promise<StackReport[]> =>
  Promise.all(listStacks(REPO_ROOT).map((stack) => stackReport(stack)));
