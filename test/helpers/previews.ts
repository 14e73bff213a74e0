import { previewAll } from "../../tools/gen-diagrams";
import type { StackReport } from "../../tools/offline/preview";
import { REPO_ROOT } from "./offline";

/** One offline preview of every stack per test run, shared by the suites that read it (it is the slow part). */
let previews: Promise<StackReport[]> | undefined;
export const allPreviews = (): Promise<StackReport[]> => (previews ??= previewAll(REPO_ROOT));
