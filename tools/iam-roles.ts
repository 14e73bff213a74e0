/*
 * Every IAM role an evaluated program registered, with what it can do: its trust policy, and the identity
 * policies that reach it (inline policies, RolePolicy resources, customer managed policies it attaches) and
 * the AWS managed policies it attaches by ARN (whose text is AWS's, not the program's). The architecture
 * pages, the security guide's role tables and the request-level IAM tests all read roles through here.
 */
import type { RegisteredResource } from "./offline/evaluate";

export const ROLE_TYPE = "aws:iam/role:Role";

export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: string | Record<string, string | string[]>;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface RoleDocument {
  /** The logical name of the resource that holds it (the role's inline policy name for inline policies). */
  readonly via: string;
  readonly statements: PolicyStatement[];
}

export interface RolePolicies {
  readonly role: RegisteredResource;
  readonly trust: PolicyStatement[];
  /** Identity policies the program wrote, sorted by `via`. */
  readonly documents: RoleDocument[];
  /** AWS managed policies attached by ARN. */
  readonly awsManaged: string[];
}

/** Unwraps the engine's secret envelope `{ 4dabf18193072939515e22adb298388d: ..., value }`. */
export function plain(v: unknown): unknown {
  if (v && typeof v === "object" && "4dabf18193072939515e22adb298388d" in (v as object))
    return (v as { value?: unknown }).value;
  return v;
}

/** The statements of a policy document given as JSON text or an object; none when it is neither. */
export function statements(doc: unknown): PolicyStatement[] {
  let v = plain(doc);
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return [];
    }
  }
  if (!v || typeof v !== "object") return [];
  const s = (v as { Statement?: PolicyStatement | PolicyStatement[] }).Statement;
  return Array.isArray(s) ? s : s ? [s] : [];
}

export const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** Every role of the evaluation, in name order, with its trust and identity policies. */
export function rolePolicies(resources: RegisteredResource[]): RolePolicies[] {
  const roles = resources.filter((r) => r.type === ROLE_TYPE).sort((a, b) => a.name.localeCompare(b.name));
  const managed = new Map(
    resources
      .filter((r) => r.type === "aws:iam/policy:Policy")
      .map((p) => [plain(p.outputs.arn) as string, p] as const),
  );
  return roles.map((role) => {
    const refs = new Set(
      [role.inputs.name, role.outputs.name, role.outputs.id, role.outputs.arn, role.id].map(plain),
    );
    const documents: RoleDocument[] = [];
    const awsManaged: string[] = [];
    for (const r of resources) {
      if (!refs.has(plain(r.inputs.role))) continue;
      if (r.type === "aws:iam/rolePolicy:RolePolicy")
        documents.push({ via: r.name, statements: statements(r.inputs.policy) });
      if (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
        const arn = plain(r.inputs.policyArn) as string;
        const own = managed.get(arn);
        if (own) documents.push({ via: own.name, statements: statements(own.inputs.policy) });
        else awsManaged.push(arn);
      }
    }
    for (const inline of (role.inputs.inlinePolicies as { name?: string; policy?: unknown }[] | undefined) ??
      [])
      documents.push({ via: String(inline.name ?? "inline"), statements: statements(inline.policy) });
    for (const arn of (role.inputs.managedPolicyArns as string[] | undefined) ?? [])
      awsManaged.push(String(plain(arn)));
    documents.sort((a, b) => a.via.localeCompare(b.via));
    return { role, trust: statements(role.inputs.assumeRolePolicy), documents, awsManaged };
  });
}

/** The principals a trust policy names (`lambda.amazonaws.com`, role ARNs, OIDC providers). */
export function trustedPrincipals(trust: PolicyStatement[]): string[] {
  const principals = trust.flatMap((s) =>
    typeof s.Principal === "string"
      ? [s.Principal]
      : Object.values(s.Principal ?? {}).flatMap((p) => asList(p as string | string[])),
  );
  return [...new Set(principals)];
}
