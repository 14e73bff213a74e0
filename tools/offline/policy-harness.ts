import type {
  EnforcementLevel,
  Policies,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import * as path from "path";
import type { RegisteredResource } from "./evaluate";
import { PackConfig, resolvePackConfig } from "./pack-config";

/*
 * Runs CrossGuard policies in-process exactly as the policy pack's gRPC server would: requests are the
 * analyzer protobufs the engine sends, handled by @pulumi/policy's own `analyze` and `analyzeStack`
 * functions, so props are deserialized and wrapped in the unknown-checking proxy, `notApplicable` throws,
 * messages are formatted and type filters applied by the SDK itself. Two things the SDK only learns over
 * gRPC are supplied here: the pack config (enforcement levels and properties, with the schema defaults the
 * CLI fills in) and the stack tags. `new PolicyPack()` is never constructed: it starts a server and may exit
 * the process.
 */

/**
 * The property by which the pack's framework (policy/lib/framework.ts APPLIES_TO) marks a validateResource
 * with the test it applies first: it returns at once for a type the test refuses.
 */
const APPLIES_TO = "appliesTo";

type Marked = { __pulumiType?: string; [APPLIES_TO]?: (type: string) => boolean };

/**
 * Whether a resource policy can report anything for this type. A policy whose validateResource carries no
 * mark may examine any type, so it is always called.
 */
function mayApply(policy: Policies[number], type: string): boolean {
  if (!("validateResource" in policy) || !policy.validateResource) return false;
  const fns = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  return fns.some((fn) => {
    const appliesTo = (fn as unknown as Marked)[APPLIES_TO];
    return appliesTo === undefined || appliesTo(type);
  });
}

/** Internal but exported by @pulumi/policy's server module; pinned with the package version. */
interface PolicyServer {
  makeAnalyzeRpcFun(name: string, version: string, level: EnforcementLevel, policies: Policies): RpcFun;
  makeAnalyzeStackRpcFun(name: string, version: string, level: EnforcementLevel, policies: Policies): RpcFun;
}

const DEFAULT_PACK_DIR = path.resolve(__dirname, "..", "..", "policy");

/** The server module of the @pulumi/policy that the pack in `dir` imports (node resolution from there). */
function serverOf(dir = DEFAULT_PACK_DIR): PolicyServer {
  return require(require.resolve("@pulumi/policy/server", { paths: [dir] })) as PolicyServer;
}
const analyzerpb = require("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

type RpcFun = (
  call: { request: unknown },
  callback: (err: Error | null | undefined, resp?: AnalyzeResponse) => void,
) => Promise<void>;

interface AnalyzeResponse {
  getDiagnosticsList(): Array<{
    getPolicyname(): string;
    getEnforcementlevel(): number;
    getMessage(): string;
    getUrn(): string;
    getSeverity?(): number;
  }>;
  getNotApplicableList?(): Array<{ getPolicyName(): string; getReason(): string }>;
}

export type { PackConfig } from "./pack-config";
export { PackConfigError, resolvePackConfig } from "./pack-config";

export interface PackOptions {
  name: string;
  version: string;
  enforcementLevel: EnforcementLevel;
  config?: PackConfig;
  stackTags?: ReadonlyMap<string, string>;
  /**
   * The pack's directory. Its own @pulumi/policy runs the policies, as under the CLI's policy host: with
   * `policy/node_modules` installed the pack's checks throw that copy's UnknownValueError, which only that
   * copy's server turns into its "can't run during preview" advisory. Default: this repository's policy/.
   */
  dir?: string;
}

export interface Violation {
  policy: string;
  enforcementLevel: "advisory" | "mandatory";
  urn: string;
  type: string;
  name: string;
  message: string;
}

const LEVEL_NAMES: Record<number, EnforcementLevel> = {
  0: "advisory",
  1: "mandatory",
  2: "disabled",
  3: "remediate",
};

/** Policies as the SDK server should run them: level resolved, config and stack tags injected. */
function preparePolicies(policies: Policies, pack: PackOptions): Policies {
  const stackTags = pack.stackTags ?? new Map<string, string>();
  return resolvePackConfig(policies, pack).policies.map(({ policy, level, values }) => {
    const inject = <F extends (args: never, report: never) => unknown>(fn: F): F => {
      const wrapped = ((args: object, report: unknown) =>
        (fn as unknown as (a: object, r: unknown) => unknown)(
          Object.assign(Object.create(null), args, { getConfig: () => ({ ...values }), stackTags }),
          report,
        )) as unknown as F;
      // Keep the SDK's type fast path (validateResourceOfType marks the function with its type) and the
      // pack's mark of the types a policy examines.
      const marked = fn as unknown as Marked;
      if (marked.__pulumiType)
        (wrapped as unknown as { __pulumiType?: string }).__pulumiType = marked.__pulumiType;
      if (marked[APPLIES_TO]) Object.defineProperty(wrapped, APPLIES_TO, { value: marked[APPLIES_TO] });
      return wrapped;
    };
    if ("validateResource" in policy && policy.validateResource) {
      const v = policy.validateResource;
      return {
        ...policy,
        enforcementLevel: level,
        validateResource: Array.isArray(v) ? v.map(inject) : inject(v),
      } as ResourceValidationPolicy;
    }
    if ("validateStack" in policy && policy.validateStack) {
      return {
        ...policy,
        enforcementLevel: level,
        validateStack: inject(policy.validateStack),
      } as StackValidationPolicy;
    }
    return { ...policy, enforcementLevel: level };
  });
}

interface WithProperties {
  setProperties(value: unknown): void;
  getProperties(): { toJavaScript(): unknown };
}

/**
 * Sets a message's properties as the engine sends them. The SDK server deserializes a request's properties
 * once per policy (68 times per resource), and `Struct.toJavaScript` was a quarter of the policy phase. The
 * values still make the protobuf round trip (`fromJavaScript`, then `toJavaScript`), once; every later read
 * returns that same plain value. No policy can see or change it: `deserializeProperties` copies every
 * object and array into the props it hands a policy.
 */
function setProperties<M extends WithProperties>(message: M, value: Record<string, unknown>): M {
  message.setProperties(Struct.fromJavaScript(value));
  const js = message.getProperties().toJavaScript();
  message.getProperties = () => ({ toJavaScript: () => js });
  return message;
}

function resourceOptions(r: RegisteredResource) {
  const o = new analyzerpb.AnalyzerResourceOptions();
  o.setProtect(r.options.protect);
  o.setIgnorechangesList(r.options.ignoreChanges);
  o.setAliasesList(r.options.aliases);
  o.setAdditionalsecretoutputsList(r.options.additionalSecretOutputs);
  if (r.options.deleteBeforeReplace !== undefined) {
    o.setDeletebeforereplacedefined(true);
    o.setDeletebeforereplace(r.options.deleteBeforeReplace);
  }
  const t = new analyzerpb.AnalyzerResourceOptions.CustomTimeouts();
  t.setCreate(r.options.customTimeouts.createSeconds);
  t.setUpdate(r.options.customTimeouts.updateSeconds);
  t.setDelete(r.options.customTimeouts.deleteSeconds);
  o.setCustomtimeouts(t);
  if (r.parent) o.setParent(r.parent);
  return o;
}

/** The provider a resource names, as the engine sends it; one message per provider, shared by its resources. */
function providerResource(
  r: RegisteredResource,
  byUrn: ReadonlyMap<string, RegisteredResource>,
  cache: Map<string, unknown>,
) {
  if (!r.provider) return undefined;
  const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
  if (cache.has(urn)) return cache.get(urn);
  const p = byUrn.get(urn);
  let pr;
  if (p) {
    pr = new analyzerpb.AnalyzerProviderResource();
    pr.setType(p.type);
    pr.setName(p.name);
    pr.setUrn(p.urn);
    setProperties(pr, p.inputs);
  }
  cache.set(urn, pr);
  return pr;
}

function call(fn: RpcFun, request: unknown): Promise<AnalyzeResponse> {
  return new Promise((resolve, reject) => {
    void fn({ request }, (err, resp) => (err ? reject(err) : resolve(resp as AnalyzeResponse)));
  });
}

function collect(
  resp: AnalyzeResponse,
  fallback: RegisteredResource | undefined,
  byUrn: ReadonlyMap<string, RegisteredResource>,
  into: Violation[],
) {
  for (const d of resp.getDiagnosticsList()) {
    const level = LEVEL_NAMES[d.getEnforcementlevel()];
    const target = (d.getUrn() && byUrn.get(d.getUrn())) || fallback;
    into.push({
      policy: d.getPolicyname(),
      enforcementLevel: level === "mandatory" || level === "remediate" ? "mandatory" : "advisory",
      urn: d.getUrn() || fallback?.urn || "",
      type: target?.type ?? "",
      name: target?.name ?? "",
      message: d.getMessage(),
    });
  }
}

/**
 * Analyzes every resource (inputs, as `pulumi preview` does) and then the whole stack (outputs, with
 * parents and dependencies linked). Returns the violations, resource ones first.
 */
export async function runPolicies(
  policies: Policies,
  resources: RegisteredResource[],
  pack: PackOptions,
): Promise<Violation[]> {
  const prepared = preparePolicies(policies, pack);
  const server = serverOf(pack.dir);
  // The SDK's analyze over just the policies that may apply to a type: it deserializes a resource's props
  // once per policy it calls, and most of the pack's policies examine a few types each.
  const analyzers = new Map<string, RpcFun>();
  const analyzeFor = (type: string) => {
    let fn = analyzers.get(type);
    if (!fn) {
      const applicable = prepared.filter((p) => mayApply(p, type));
      fn = server.makeAnalyzeRpcFun(pack.name, pack.version, pack.enforcementLevel, applicable);
      analyzers.set(type, fn);
    }
    return fn;
  };
  const analyzeStack = server.makeAnalyzeStackRpcFun(
    pack.name,
    pack.version,
    pack.enforcementLevel,
    prepared,
  );
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const providers = new Map<string, unknown>();
  const violations: Violation[] = [];

  for (const r of resources) {
    if (r.type === "pulumi:pulumi:Stack") continue;
    const req = new analyzerpb.AnalyzeRequest();
    req.setType(r.type);
    req.setName(r.name);
    req.setUrn(r.urn);
    setProperties(req, r.inputs);
    req.setOptions(resourceOptions(r));
    const provider = providerResource(r, byUrn, providers);
    if (provider) req.setProvider(provider);
    collect(await call(analyzeFor(r.type), req), r, byUrn, violations);
  }

  const stackReq = new analyzerpb.AnalyzeStackRequest();
  stackReq.setResourcesList(
    resources.map((r) => {
      const ar = new analyzerpb.AnalyzerResource();
      ar.setType(r.type);
      ar.setName(r.name);
      ar.setUrn(r.urn);
      setProperties(ar, r.outputs);
      ar.setOptions(resourceOptions(r));
      if (r.parent) ar.setParent(r.parent);
      ar.setDependenciesList(r.dependencies);
      const deps = ar.getPropertydependenciesMap();
      for (const [k, urns] of Object.entries(r.propertyDependencies)) {
        const pd = new analyzerpb.AnalyzerPropertyDependencies();
        pd.setUrnsList(urns);
        deps.set(k, pd);
      }
      const provider = providerResource(r, byUrn, providers);
      if (provider) ar.setProvider(provider);
      return ar;
    }),
  );
  collect(await call(analyzeStack, stackReq), undefined, byUrn, violations);
  return violations;
}
