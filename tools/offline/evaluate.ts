import * as pulumi from "@pulumi/pulumi";
import {
  defaultProviderInputs,
  defaultProviderName,
  hasResourceReference,
  SIG_KEY,
  UNKNOWN,
  withoutResourceReferences,
} from "./engine-values";
import { OfflineMocks } from "./mocks";

const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(value: Record<string, unknown>): unknown };
};

/*
 * Runs a Pulumi program without the engine: the SDK's own mock monitor answers every registration, and a
 * subclass of it records what the engine would know about each resource (parent, provider, dependencies,
 * options, serialized inputs and outputs). Each evaluation gets its own SDK store (the same isolation the
 * Automation API uses for inline programs), so several stacks can be evaluated in one process and the
 * @pulumi/aws modules are loaded once.
 */

// SDK internals used here. They are stable across 3.x, but not part of the public API: pinned with the SDK.
const state = require("@pulumi/pulumi/runtime/state") as {
  LocalStore: new () => SdkStore;
  getStore(): SdkStore;
};

type SdkStore = Record<string, unknown> & { logErrorCount: number };
const settings = require("@pulumi/pulumi/runtime/settings") as {
  setMockOptions(
    monitor: unknown,
    project: string,
    stack: string,
    preview: boolean,
    organization: string,
  ): void;
  waitForRPCs(): Promise<void>;
};
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as {
  MockMonitor: new (mocks: pulumi.runtime.Mocks) => MonitorLike;
};

interface MonitorLike {
  resources: Map<string, { urn: string; id: string | null; state: Record<string, unknown> }>;
  invoke(req: unknown, callback: (err: Error | null, resp?: unknown) => void): Promise<void>;
  registerResource(
    req: RegisterRequest,
    callback: (err: Error | null, resp?: RegisterResponse) => void,
  ): Promise<void>;
}

/** The parts of the SDK's RegisterResourceResponse protobuf that are read or rewritten here. */
interface RegisterResponse {
  getUrn(): string;
  getId(): string;
  setId(id: string): void;
  setObject(value: unknown): void;
}

/** The parts of the SDK's RegisterResourceRequest protobuf that are read here. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getVersion(): string;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  setObject(value: unknown): void;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): Map<string, { getUrnsList(): string[] }> & {
    forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void;
  };
  getProtect(): boolean;
  getIgnorechangesList(): string[];
  getAliasurnsList(): string[];
  getAliasesList(): AliasRequest[];
  getAdditionalsecretoutputsList(): string[];
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
  getRetainondelete(): boolean;
  getRemote(): boolean;
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}

/** An alias as the SDK sends it when the engine supports alias specs: a URN, or the parts that differ. */
interface AliasRequest {
  getUrn(): string;
  getSpec():
    | {
        getName(): string;
        getType(): string;
        getStack(): string;
        getProject(): string;
        getParenturn(): string;
        getNoparent(): boolean;
      }
    | undefined;
}

/**
 * The URN an alias names, resolved as the engine resolves it: each part the spec leaves empty is the
 * resource's own (name, type, stack, project, parent), and the parent's type chain qualifies the type.
 */
function aliasUrn(
  alias: AliasRequest,
  own: { name: string; type: string; parent: string; stack: string; project: string },
): string {
  const spec = alias.getSpec();
  if (!spec) return alias.getUrn();
  const parent = spec.getNoparent() ? "" : spec.getParenturn() || own.parent;
  const parentType = parent ? parent.split("::")[2] : "";
  const qualifier = parentType && !parentType.endsWith("pulumi:pulumi:Stack") ? `${parentType}$` : "";
  return `urn:pulumi:${spec.getStack() || own.stack}::${spec.getProject() || own.project}::${qualifier}${spec.getType() || own.type}::${spec.getName() || own.name}`;
}

/** One registered resource as the engine would see it. */
export interface RegisteredResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** True for multi-language components (awsx, @pulumi/eks): their children are not visible offline. */
  remote: boolean;
  parent?: string;
  /**
   * The provider reference `urn::id`: the one the resource names, or for a custom resource that names none,
   * the package's default provider (recorded too, as the engine registers it).
   */
  provider?: string;
  id?: string;
  /** Inputs as the provider's Check returns them (auto-names filled in), in the engine's serialized form. */
  inputs: Record<string, unknown>;
  /** Outputs the mock returned, serialized (secrets keep their signature). */
  outputs: Record<string, unknown>;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  options: {
    protect: boolean;
    ignoreChanges: string[];
    aliases: string[];
    additionalSecretOutputs: string[];
    deleteBeforeReplace?: boolean;
    retainOnDelete: boolean;
    customTimeouts: { createSeconds: number; updateSeconds: number; deleteSeconds: number };
  };
}

/** The options of a resource registered with none (the engine's defaults). */
export function noOptions(): RegisteredResource["options"] {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    additionalSecretOutputs: [],
    retainOnDelete: false,
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  };
}

export interface Evaluation {
  resources: RegisteredResource[];
  outputs: Record<string, unknown>;
}

export interface EvaluateOptions {
  /** Absolute path of the program's entry module (index.ts or a fixture), or the program as a function. */
  program: string | (() => unknown);
  project: string;
  stack: string;
  /** Fully qualified config keys to raw string values, as the language host passes them. */
  config: Record<string, string>;
  secretKeys: string[];
  region: string;
  accountId: string;
  /**
   * Evaluate as a stack's first `pulumi preview` does: every value a provider computes on create (ids, ARNs,
   * URLs, and whatever the program derives from them) is unknown; inputs and invoke results are known.
   */
  preview?: boolean;
  /** How long to wait for the program's registrations to settle. */
  timeoutMs?: number;
}

/** The program failed: it threw, a registration failed, or it logged an error. */
export class ProgramError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProgramError";
  }
}

function secondsOf(s: string | undefined): number {
  if (!s) return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(s);
  if (!m) return 0;
  const n = Number(m[1]);
  return m[2] === "ms" ? n / 1000 : m[2] === "s" ? n : m[2] === "m" ? n * 60 : n * 3600;
}

class RecordingMonitor extends MockMonitor {
  readonly records: RegisteredResource[] = [];
  /** Default providers registered so far, by `<package>::<version>`, as their provider references. */
  private readonly defaultProviders = new Map<string, string>();

  constructor(
    private readonly offline: OfflineMocks,
    private readonly options: Pick<
      EvaluateOptions,
      "config" | "secretKeys" | "preview" | "stack" | "project"
    >,
  ) {
    super(offline);
  }

  /** The SDK reads a failed call's `details` (as on a gRPC error); a plain Error from a mock has none. */
  private static withDetails<R>(callback: (err: Error | null, resp?: R) => void) {
    return (err: Error | null, resp?: R) => {
      if (err && !(err as Error & { details?: string }).details) {
        (err as Error & { details?: string }).details = err.message;
      }
      callback(err, resp);
    };
  }

  override async invoke(req: unknown, callback: (err: Error | null, resp?: unknown) => void) {
    return super.invoke(req, RecordingMonitor.withDetails(callback));
  }

  /**
   * The reference to the default provider of `type`'s package, registered (and recorded) on first use as the
   * engine does: no parent, inputs from the stack's config of that package. The `pulumi` package's own
   * resources (providers, stack references) are served by the engine itself.
   */
  private defaultProvider(type: string, version: string): string {
    const pkg = type.slice(0, type.indexOf(":"));
    if (pkg === "pulumi") return "";
    const key = `${pkg}::${version}`;
    let ref = this.defaultProviders.get(key);
    if (ref === undefined) {
      const providerType = `pulumi:providers:${pkg}`;
      const name = defaultProviderName(version);
      const inputs = defaultProviderInputs(pkg, version, this.options.config, this.options.secretKeys);
      const urn = this.newUrn("", providerType, name);
      // On a first preview the provider is not created yet: its id is unknown, as in its references.
      const id = this.options.preview
        ? undefined
        : (this.offline.newResource({ type: providerType, name, inputs, custom: true }).id ?? name);
      this.records.push({
        urn,
        type: providerType,
        name,
        custom: true,
        remote: false,
        ...(id ? { id } : {}),
        inputs,
        outputs: inputs,
        dependencies: [],
        propertyDependencies: {},
        options: noOptions(),
      });
      ref = `${urn}::${id ?? UNKNOWN}`;
      this.defaultProviders.set(key, ref);
    }
    return ref;
  }

  /**
   * URNs as the engine forms them: a resource's type is qualified by its parent's type, except under the
   * root stack (the SDK's mock monitor qualifies those too, which no real stack does).
   */
  newUrn(parent: string, type: string, name: string): string {
    const parentType = parent ? parent.split("::")[2] : "";
    const qualified = parent && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
  }

  override async registerResource(
    req: RegisterRequest,
    callback: Parameters<MonitorLike["registerResource"]>[1],
  ) {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v, k) => (propertyDependencies[k] = v.getUrnsList()));
    const timeouts = req.getCustomtimeouts();
    const type = req.getType();
    const name = req.getName();
    let serializedInputs = req.getObject()?.toJavaScript() ?? {};
    // The AWS provider does not accept resource references, so the engine hands it (and every analyzer)
    // ids and URNs instead; the mocks answer as the provider would, from those.
    if (hasResourceReference(serializedInputs)) {
      serializedInputs = withoutResourceReferences(serializedInputs) as Record<string, unknown>;
      req.setObject(Struct.fromJavaScript(serializedInputs));
    }
    const provider =
      req.getProvider() || (req.getCustom() ? this.defaultProvider(type, req.getVersion()) : "");
    const record: RegisteredResource = {
      urn: "",
      type,
      name,
      custom: req.getCustom(),
      remote: req.getRemote(),
      ...(req.getParent() ? { parent: req.getParent() } : {}),
      ...(provider ? { provider } : {}),
      inputs: req.getCustom() ? this.offline.checkedInputs(type, name, serializedInputs) : serializedInputs,
      outputs: {},
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      options: {
        protect: req.getProtect(),
        ignoreChanges: req.getIgnorechangesList(),
        aliases: [
          ...req.getAliasurnsList(),
          ...req.getAliasesList().map((a) =>
            aliasUrn(a, {
              name,
              type,
              parent: req.getParent(),
              stack: this.options.stack,
              project: this.options.project,
            }),
          ),
        ],
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        ...(req.getDeletebeforereplacedefined() ? { deleteBeforeReplace: req.getDeletebeforereplace() } : {}),
        retainOnDelete: req.getRetainondelete(),
        customTimeouts: {
          createSeconds: secondsOf(timeouts?.getCreate()),
          updateSeconds: secondsOf(timeouts?.getUpdate()),
          deleteSeconds: secondsOf(timeouts?.getDelete()),
        },
      },
    };
    this.records.push(record);
    return super.registerResource(
      req,
      RecordingMonitor.withDetails((err, resp) => {
        if (!err && resp) {
          record.urn = resp.getUrn();
          const registered = this.resources.get(record.urn);
          if (this.options.preview && record.custom && registered) {
            // A first preview plans a create: the inputs as checked, every other output unknown, no id yet.
            registered.state = plannedState(record.inputs, registered.state) as Record<string, unknown>;
            registered.id = null;
            resp.setId("");
            resp.setObject(Struct.fromJavaScript(registered.state));
          }
          if (resp.getId()) record.id = resp.getId();
          record.outputs = registered?.state ?? {};
        }
        callback(err, resp);
      }),
    );
  }
}

/**
 * What a provider's preview of a create returns: the checked inputs, and unknowns for what it computes, down
 * to attributes it computes inside an object the program set (SES's `dkimSigningAttributes.tokens`).
 */
function plannedState(inputs: unknown, state: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v);
  if (inputs === undefined) return UNKNOWN;
  if (Array.isArray(inputs) && Array.isArray(state) && inputs.length === state.length)
    return inputs.map((v, i) => plannedState(v, state[i]));
  if (!isObject(inputs) || !isObject(state) || SIG_KEY in inputs) return inputs;
  const planned: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(state), ...Object.keys(inputs)]))
    planned[k] = plannedState(inputs[k], state[k]);
  return planned;
}

/**
 * A program file runs afresh for each evaluation (index.ts registers its resources when it is loaded); the
 * modules it imports stay loaded, as they hold no per-stack state (a spec checks that a stack evaluates the
 * same after another). Reloading them too cost about a third of a second per stack, and reloading every
 * module of the repository made the caller's helpers lose their caches.
 */
function forgetProgram(program: EvaluateOptions["program"]): void {
  if (typeof program === "string") delete require.cache[require.resolve(program)];
}

/** The failure's own message, without the SDK's "error serializing property" wrappers around it. */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^(error serializing property "[^"]*": )+/, "");
}

const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T>;
};

/**
 * Debugging aids of the SDK that nothing offline reads, and that cost a large share of an evaluation. The SDK
 * stamps every promise it tracks (one per input property of every resource) with an id, a context and
 * `new Error().stack`, and keeps it in a set of leak candidates it reports at process exit; and it formats the
 * whole stack of every resource it constructs, for the engine's source positions. Here a tracked promise is
 * itself (the SDK's two extra links per promise were a quarter of registering a resource); positions are left
 * out of the registrations (the recording monitor does not keep them); and stack traces have no frames
 * (failures are reported by message). Returns the function that restores all three. Without those links,
 * resources that do not depend on each other may register in another order than under the SDK's own chains;
 * under the engine that order follows its responses anyway, and nothing offline depends on it.
 */
function skipDebuggingAids(): () => void {
  const resource = pulumi.Resource as unknown as { callsites(): unknown[] };
  const callsites = Object.getOwnPropertyDescriptor(resource, "callsites");
  const debuggablePromise = debuggable.debuggablePromise;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  Object.defineProperty(resource, "callsites", { configurable: true, writable: true, value: () => [] });
  debuggable.debuggablePromise = (p) => p;
  return () => {
    Error.stackTraceLimit = limit;
    debuggable.debuggablePromise = debuggablePromise;
    if (callsites) Object.defineProperty(resource, "callsites", callsites);
  };
}

/** Waits for `work` to settle, at most QUIESCE_MS, then lets the rejections it queued reach their handlers. */
async function quiesce(work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, QUIESCE_MS))),
  ]);
  clearTimeout(timer);
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

const QUIESCE_MS = 1000;

let previousEvaluation: Promise<unknown> = Promise.resolve();

/**
 * Runs `cb` with a fresh SDK store of its own, one evaluation at a time. The SDK keeps its state in a store
 * that an AsyncLocalStorage can scope (`withLocalStorage`, as the Automation API does); but on Node 20 an
 * active AsyncLocalStorage installs promise hooks that run for every promise the program creates (0.35 s of
 * an 8.5 s profiled run). Outside any AsyncLocalStorage the SDK uses `global.globalStore`: each evaluation swaps in
 * its own and evaluations queue, so they stay as isolated as under `withLocalStorage`. The resource modules
 * the provider packages registered when they were loaded carry over, as they would in one process.
 */
function withOwnStore<T>(cb: () => Promise<T>): Promise<T> {
  const run = previousEvaluation.then(async () => {
    const g = global as unknown as { globalStore?: SdkStore };
    const outer = g.globalStore;
    const store = new state.LocalStore();
    if (outer) {
      store.resourcePackages = outer.resourcePackages;
      store.resourceModules = outer.resourceModules;
      store.packageRefs = outer.packageRefs;
    }
    g.globalStore = store;
    try {
      return await cb();
    } finally {
      g.globalStore = outer;
    }
  });
  previousEvaluation = run.catch(() => undefined);
  return run;
}

/** Evaluates the program for one stack and returns every resource it registered. */
export function evaluateProgram(options: EvaluateOptions): Promise<Evaluation> {
  return withOwnStore(async () => {
    const mocks = new OfflineMocks({ region: options.region, accountId: options.accountId });
    const monitor = new RecordingMonitor(mocks, options);
    settings.setMockOptions(
      monitor,
      options.project,
      options.stack,
      options.preview ?? false,
      "organization",
    );
    // The feature set `pulumi.runtime.setMocks` declares; transforms stay off as in mocks.
    Object.assign(state.getStore(), {
      supportsSecrets: true,
      supportsResourceReferences: true,
      supportsOutputValues: false,
      supportsDeletedWith: true,
      supportsAliasSpecs: true,
      supportsTransforms: false,
    });
    pulumi.runtime.setAllConfig(options.config, options.secretKeys);

    // Failed registrations surface as unhandled rejections in the SDK. The engine stops at the first one;
    // so does this: resources that depend on a failed output would otherwise never settle under mocks.
    const failures: string[] = [];
    let failFast: (err: Error) => void = () => undefined;
    const firstFailure = new Promise<never>((_, reject) => (failFast = reject));
    firstFailure.catch(() => undefined);
    const onRejection = (reason: unknown) => {
      failures.push(describe(reason));
      failFast(new ProgramError(describe(reason)));
    };
    process.on("unhandledRejection", onRejection);
    let timer: NodeJS.Timeout | undefined;
    const restoreDebuggingAids = skipDebuggingAids();
    let settled = false;
    forgetProgram(options.program);
    try {
      const timeoutMs = options.timeoutMs ?? 60000;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ProgramError(`the program's registrations did not settle within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      const run = async (): Promise<Record<string, unknown>> => {
        let outputs: Record<string, unknown> | undefined;
        try {
          outputs = await pulumi.runtime.runInPulumiStack(async () => {
            if (typeof options.program === "function") return (await options.program()) ?? {};
            const mod = require(options.program);
            // A program may export an (async) function, as the Pulumi language host allows.
            const entry =
              typeof mod === "function" ? mod : typeof mod?.default === "function" ? mod.default : undefined;
            return entry ? await entry() : mod;
          });
        } catch (err) {
          throw new ProgramError(describe(err));
        }
        await settings.waitForRPCs();
        return outputs ?? {};
      };
      const outputs = await Promise.race([run(), firstFailure, timeout]);
      // Let rejections queued in this turn reach the handler.
      await new Promise((resolve) => setImmediate(resolve));
      if (failures.length > 0) throw new ProgramError(failures.join("\n"));
      if (state.getStore().logErrorCount > 0) throw new ProgramError("the program logged errors (see above)");
      settled = true;
      return { resources: monitor.records.filter((r) => r.urn !== ""), outputs };
    } finally {
      // A failed program leaves registrations and outputs behind that reject later, one by one: wait for
      // them (within a bound) while this evaluation's handler still takes them, or the next evaluation in
      // this process would report them as its own failures.
      if (!settled) await quiesce(settings.waitForRPCs());
      restoreDebuggingAids();
      clearTimeout(timer);
      process.off("unhandledRejection", onRejection);
    }
  });
}
