/**
 * The artifacts bucket's layout (the product's S3 structure, plus the QA reports and deployment manifests the
 * agents write), and which prefixes each agent writes and reads: the workers' IAM grants are built from
 * AGENT_ARTIFACTS, so an agent's role can write nothing its contract does not name.
 */
import type { AgentName } from "./agents";

export const ARTIFACT_PREFIXES = {
  projects: "projects/",
  plans: "plans/",
  templates: "templates/",
  reports: "reports/",
  deployments: "deployments/",
} as const;
export type ArtifactPrefix = (typeof ARTIFACT_PREFIXES)[keyof typeof ARTIFACT_PREFIXES];

export const artifactKeys = {
  projectPrefix: (projectId: string) => `${ARTIFACT_PREFIXES.projects}${projectId}/`,
  projectFile: (projectId: string, path: string) => `${ARTIFACT_PREFIXES.projects}${projectId}/${path}`,
  templatePrefix: (templateId: string) => `${ARTIFACT_PREFIXES.templates}${templateId}/`,
  /** The PM agent's plan. */
  plan: (modificationId: string) => `${ARTIFACT_PREFIXES.plans}${modificationId}.json`,
  /** The QA agent's report of one round. */
  qaReport: (modificationId: string, round: number) =>
    `${ARTIFACT_PREFIXES.reports}${modificationId}/qa-r${round}.json`,
  /** The Ops agent's deployment manifest. */
  deploymentManifest: (modificationId: string) => `${ARTIFACT_PREFIXES.deployments}${modificationId}.json`,
} as const;

/** What each agent writes (one prefix) and reads. */
export const AGENT_ARTIFACTS: Readonly<
  Record<AgentName, { readonly writes: ArtifactPrefix; readonly reads: readonly ArtifactPrefix[] }>
> = {
  pm: { writes: ARTIFACT_PREFIXES.plans, reads: [ARTIFACT_PREFIXES.projects] },
  dev: {
    writes: ARTIFACT_PREFIXES.projects,
    reads: [ARTIFACT_PREFIXES.projects, ARTIFACT_PREFIXES.plans, ARTIFACT_PREFIXES.reports],
  },
  qa: {
    writes: ARTIFACT_PREFIXES.reports,
    reads: [ARTIFACT_PREFIXES.projects, ARTIFACT_PREFIXES.plans],
  },
  ops: {
    writes: ARTIFACT_PREFIXES.deployments,
    reads: [ARTIFACT_PREFIXES.projects, ARTIFACT_PREFIXES.plans, ARTIFACT_PREFIXES.reports],
  },
};

/** Longest project file path accepted from a template or an agent. */
export const MAX_PROJECT_PATH_LENGTH = 512;

/**
 * Why `path` may not name a file inside a project, or undefined when it may: relative, forward slashes, no
 * empty, `.` or `..` segment, printable characters without backslashes or control characters, at most 512
 * characters. S3 would accept almost anything; these rules keep one agent from writing outside its project.
 */
export function projectPathProblem(path: string): string | undefined {
  if (path.length === 0 || path.length > MAX_PROJECT_PATH_LENGTH)
    return `must be 1-${MAX_PROJECT_PATH_LENGTH} characters`;
  if (path.startsWith("/")) return "must be relative (no leading /)";
  if (/[\\\u0000-\u001f\u007f]/.test(path)) return "must not contain backslashes or control characters";
  if (path.split("/").some((segment) => segment === "" || segment === "." || segment === ".."))
    return "must not contain empty, . or .. segments";
  return undefined;
}

/** Content types by extension for files agents and templates write (the download keeps them). */
export function contentTypeOf(path: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  const types: Record<string, string> = {
    json: "application/json",
    md: "text/markdown; charset=utf-8",
    html: "text/html; charset=utf-8",
    js: "text/javascript; charset=utf-8",
    jsx: "text/javascript; charset=utf-8",
    ts: "text/plain; charset=utf-8",
    css: "text/css; charset=utf-8",
    py: "text/x-python; charset=utf-8",
    yaml: "application/yaml",
    yml: "application/yaml",
  };
  return (ext && types[ext]) || "text/plain; charset=utf-8";
}
