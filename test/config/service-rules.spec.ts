import * as assert from "assert";
import { capacityProviderStrategy, userProblem } from "../../components/fargate/args";
import { configIssues, K, loadStack } from "../helpers/config";

/*
 * Each rule of the service and worker config on both sides of its condition: a value just inside is accepted,
 * one just outside is reported under its own key (and only that key). Both prefixes (service, worker) share the
 * task rules, so each task case runs for both.
 */

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";
/** The keys reported for dev with `changes`. */
const keysFor = (changes: Record<string, string | undefined>) =>
  configIssues("dev", changes).map((i) => i.split(" = ")[0]);
/** The worker on, with an image, on a queue dev has, and Container Insights it needs. */
const WORKER_ON = {
  [K("workerEnabled")]: "true",
  [K("workerImageTag")]: "v1",
  [K("workerQueue")]: "dev",
  [K("serviceContainerInsights")]: "enabled",
};
const onFor = (prefix: "service" | "worker") => (prefix === "worker" ? WORKER_ON : {});
/** The service's image from its own repository instead of the stack's public URI. */
const REPOSITORY = { [K("serviceImage")]: "" };

describe("service and worker config rules, both sides", () => {
  it("dev loads with the worker on as WORKER_ON sets it (the baseline of the cases below)", () => {
    assert.deepStrictEqual(configIssues("dev", WORKER_ON), []);
    assert.deepStrictEqual(loadStack("dev", WORKER_ON).worker!.image, { kind: "repository", tag: "v1" });
  });

  for (const prefix of ["service", "worker"] as const) {
    const base = { ...onFor(prefix), ...(prefix === "service" ? REPOSITORY : {}) };
    const tagKey = K(`${prefix}ImageTag`);
    const tags: Array<[string, boolean]> = [
      ["v1", true],
      ["1.28-alpine", true],
      ["_build.7", true],
      ["a".repeat(128), true],
      ["a".repeat(129), false],
      [".hidden", false],
      ["-dash", false],
      ["has space", false],
      ["v1:latest", false],
      ["sha256@x", false],
    ];
    for (const [tag, ok] of tags)
      it(`${prefix}ImageTag ${JSON.stringify(tag.length > 20 ? `${tag.length} characters` : tag)} is ${ok ? "accepted" : "reported"}`, () => {
        assert.deepStrictEqual(keysFor({ ...base, [tagKey]: tag }), ok ? [] : [tagKey]);
      });

    it(`${prefix}Image: a URI with a tag or digest is accepted, anything else reported`, () => {
      const imageKey = K(`${prefix}Image`);
      const good = [
        "public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine",
        "registry.example.com:5000/team/app:v2",
        `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${"a".repeat(64)}`,
      ];
      const bad = [
        "nginx",
        "nginx:latest",
        "public.ecr.aws/nginx/nginx",
        `r.io/app@sha256:${"a".repeat(63)}`,
        "R.io/app:v1",
        "r.io/app:v 1",
      ];
      for (const uri of good)
        assert.deepStrictEqual(keysFor({ ...onFor(prefix), [tagKey]: "", [imageKey]: uri }), [], uri);
      for (const uri of bad)
        assert.deepStrictEqual(keysFor({ ...onFor(prefix), [tagKey]: "", [imageKey]: uri }), [imageKey], uri);
      const both = loadStack("dev", { ...onFor(prefix), [imageKey]: good[1], [tagKey]: "" });
      assert.deepStrictEqual((prefix === "service" ? both.webService! : both.worker!).image, {
        kind: "uri",
        uri: good[1],
      });
    });

    it(`${prefix}: an image is required only while it is enabled`, () => {
      const none = { ...onFor(prefix), [K(`${prefix}Image`)]: "", [tagKey]: "" };
      assert.deepStrictEqual(keysFor(none), [tagKey]);
      assert.deepStrictEqual(
        keysFor({
          ...none,
          [K(`${prefix}Enabled`)]: "false",
          ...(prefix === "service" ? { [K("originVerifySecret")]: undefined } : {}),
        }),
        [],
      );
    });

    it(`${prefix}Memory: a pair Fargate offers is accepted, its neighbours are not`, () => {
      const pair = (cpu: number, memory: number) =>
        keysFor({
          ...onFor(prefix),
          [K(`${prefix}Cpu`)]: String(cpu),
          [K(`${prefix}Memory`)]: String(memory),
        });
      assert.deepStrictEqual(pair(1024, 2048), []);
      assert.deepStrictEqual(pair(1024, 8192), []);
      assert.deepStrictEqual(pair(1024, 1024), [K(`${prefix}Memory`)]);
      assert.deepStrictEqual(pair(1024, 9216), [K(`${prefix}Memory`)]);
    });

    const users: Array<[string, boolean]> = [
      ["1000", true],
      ["1000:1000", true],
      ["app", true],
      ["app:staff", true],
      ["1000:0", true],
      ["10", true],
      ["0", false],
      ["root", false],
      ["0:1000", false],
      ["root:root", false],
      ["", false],
      [":1000", false],
      ["app user", false],
      ["1000:", false],
      ["-x", false],
    ];
    it(`${prefix}User: non-root users accepted, root and malformed ones reported`, () => {
      for (const [user, ok] of users)
        assert.deepStrictEqual(
          keysFor({ ...onFor(prefix), [K(`${prefix}User`)]: user }),
          ok ? [] : [K(`${prefix}User`)],
          user,
        );
    });

    it(`${prefix}Secrets: each entry NAME=<secret ARN>, once per name`, () => {
      const key = K(`${prefix}Secrets`);
      const read = (entries: string[]) =>
        configIssues("dev", { ...onFor(prefix), [key]: JSON.stringify(entries) }).map(
          (i) => i.split(" = ")[0],
        );
      assert.deepStrictEqual(read([`A=${ARN}`, `_B2=${ARN}:key:AWSCURRENT:`, `c=${ARN}::AWSPREVIOUS:`]), []);
      assert.deepStrictEqual(read([`=${ARN}`]), [`${key}[0]`]);
      assert.deepStrictEqual(read([`A${ARN}`]), [`${key}[0]`]);
      assert.deepStrictEqual(read([`A-B=${ARN}`]), [`${key}[0]`]);
      assert.deepStrictEqual(read([`A=${ARN}:only-one`]), [`${key}[0]`]);
      assert.deepStrictEqual(read([`A=x${ARN}`, `B=${ARN} `]), [`${key}[0]`, `${key}[1]`]);
      assert.deepStrictEqual(
        read([`A=${ARN.replace("arn:aws:", "arn:aws-us-gov:")}`, `B=${ARN}:::version-1`]),
        [],
      );
      assert.deepStrictEqual(read([`A=${ARN.replace("123456789012", "12345")}`]), [`${key}[0]`]);
      assert.deepStrictEqual(read([`A=${ARN}`, `B=${ARN}`, `A=${ARN}`]), [`${key}[2]`]);
      const config = loadStack("dev", {
        ...onFor(prefix),
        [key]: JSON.stringify([`A=${ARN}:k:AWSCURRENT:`, `B=${ARN}`]),
      });
      assert.deepStrictEqual((prefix === "service" ? config.webService! : config.worker!).secrets, [
        { name: "A", valueFrom: `${ARN}:k:AWSCURRENT:`, secretArn: ARN },
        { name: "B", valueFrom: ARN, secretArn: ARN },
      ]);
    });
  }

  it("service task counts: min <= desired <= max, equal allowed", () => {
    const counts = (min: number, desired: number, max: number) =>
      keysFor({
        [K("serviceMinTasks")]: String(min),
        [K("serviceDesiredTasks")]: String(desired),
        [K("serviceMaxTasks")]: String(max),
      });
    assert.deepStrictEqual(counts(2, 2, 2), []);
    assert.deepStrictEqual(counts(0, 1, 4), []);
    assert.deepStrictEqual(counts(3, 2, 4), [K("serviceMinTasks")]);
    assert.deepStrictEqual(counts(1, 5, 4), [K("serviceDesiredTasks")]);
  });

  it("worker task counts: min <= max, equal allowed", () => {
    const counts = (min: number, max: number) =>
      keysFor({ ...WORKER_ON, [K("workerMinTasks")]: String(min), [K("workerMaxTasks")]: String(max) });
    assert.deepStrictEqual(counts(3, 3), []);
    assert.deepStrictEqual(counts(4, 3), [K("workerMinTasks")]);
  });

  it("capacity weights: either weight above 0 is enough", () => {
    const weights = (onDemand: number, spot: number) =>
      keysFor({ [K("serviceOnDemandWeight")]: String(onDemand), [K("serviceSpotWeight")]: String(spot) });
    assert.deepStrictEqual(weights(1, 0), []);
    assert.deepStrictEqual(weights(0, 1), []);
    assert.deepStrictEqual(weights(0, 0), [K("serviceSpotWeight")]);
  });

  it("capacityProviderStrategy lists exactly the providers that get tasks", () => {
    const cases: Array<[number, number, number, string[]]> = [
      [0, 0, 1, ["FARGATE_SPOT:0:1"]],
      [2, 1, 1, ["FARGATE:2:1", "FARGATE_SPOT:0:1"]],
      [1, 0, 3, ["FARGATE:1:0", "FARGATE_SPOT:0:3"]],
      [0, 2, 0, ["FARGATE:0:2"]],
      [3, 0, 0, ["FARGATE:3:0"]],
    ];
    for (const [onDemandBase, onDemandWeight, spotWeight, expected] of cases)
      assert.deepStrictEqual(
        capacityProviderStrategy({ onDemandBase, onDemandWeight, spotWeight }).map(
          (i) => `${i.capacityProvider}:${i.base}:${i.weight}`,
        ),
        expected,
      );
  });

  it("serviceHealthCheckPath: a path of safe characters up to 1024 long", () => {
    const key = K("serviceHealthCheckPath");
    for (const ok of ["/", "/health", "/a-b_c.d~e/f?g=h&i%20", `/${"a".repeat(1023)}`])
      assert.deepStrictEqual(keysFor({ [key]: ok }), [], ok.slice(0, 30));
    for (const bad of ["health", `/${"a".repeat(1024)}`, "/a b", "/$(reboot)", "/a;b", "/a|b", "/*"])
      assert.deepStrictEqual(keysFor({ [key]: bad }), [key], bad.slice(0, 30));
  });

  it("wafManagedRules: known free groups, each once", () => {
    const key = K("wafManagedRules");
    const rules = (list: string[]) => keysFor({ [key]: JSON.stringify(list) });
    assert.deepStrictEqual(rules([]), []);
    assert.deepStrictEqual(rules(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"]), []);
    assert.deepStrictEqual(rules(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesCommonRuleSet"]), [key]);
    assert.deepStrictEqual(rules(["AWSManagedRulesCommonRuleSet", "Nope"]), [`${key}[1]`]);
  });

  it("workerQueue must name a queue only while the worker is on; Container Insights likewise", () => {
    assert.deepStrictEqual(keysFor({ ...WORKER_ON, [K("workerQueue")]: "billing" }), [K("workerQueue")]);
    assert.deepStrictEqual(keysFor({ [K("workerQueue")]: "billing" }), []);
    for (const mode of ["enabled", "enhanced"])
      assert.deepStrictEqual(keysFor({ ...WORKER_ON, [K("serviceContainerInsights")]: mode }), []);
    assert.deepStrictEqual(keysFor({ ...WORKER_ON, [K("serviceContainerInsights")]: "disabled" }), [
      K("serviceContainerInsights"),
    ]);
    assert.deepStrictEqual(keysFor({ [K("serviceContainerInsights")]: "disabled" }), []);
    // Scaling from zero sets the task count from the queue's backlog: no running-task metric to need.
    assert.deepStrictEqual(
      keysFor({ ...WORKER_ON, [K("workerMinTasks")]: "0", [K("serviceContainerInsights")]: "disabled" }),
      [],
    );
  });

  it("workerMaxTasks: at most 20 steps when the worker scales from zero, up to 100 otherwise", () => {
    const zero = { ...WORKER_ON, [K("workerMinTasks")]: "0" };
    assert.deepStrictEqual(keysFor({ ...zero, [K("workerMaxTasks")]: "20" }), []);
    assert.deepStrictEqual(keysFor({ ...zero, [K("workerMaxTasks")]: "21" }), [K("workerMaxTasks")]);
    assert.deepStrictEqual(keysFor({ ...WORKER_ON, [K("workerMaxTasks")]: "21" }), []);
  });

  // Every bounded number: its bounds are accepted (as far as its own key goes) and one step outside is not.
  const RANGES: Array<[string, number, number, Record<string, string>]> = [
    ["serviceCpu", 256, 16384, {}],
    ["serviceMemory", 512, 122880, {}],
    ["workerCpu", 256, 16384, WORKER_ON],
    ["workerMemory", 512, 122880, WORKER_ON],
    ["serviceMinTasks", 0, 100, {}],
    ["serviceDesiredTasks", 0, 100, {}],
    ["serviceMaxTasks", 1, 100, {}],
    ["serviceOnDemandBase", 0, 100, {}],
    ["serviceOnDemandWeight", 0, 1000, {}],
    ["serviceSpotWeight", 0, 1000, { [K("serviceOnDemandWeight")]: "1" }],
    ["serviceContainerPort", 1024, 65535, {}],
    ["serviceTargetCpuPercent", 10, 95, {}],
    ["serviceTargetMemoryPercent", 10, 95, {}],
    ["serviceEcrImagesKept", 1, 1000, {}],
    ["wafRateLimit", 10, 2_000_000_000, {}],
    ["workerMinTasks", 0, 100, WORKER_ON],
    ["workerMaxTasks", 1, 100, WORKER_ON],
    ["workerOnDemandBase", 0, 100, WORKER_ON],
    ["workerBacklogPerTask", 1, 10000, WORKER_ON],
  ];
  for (const [name, min, max, extra] of RANGES)
    it(`${name}: ${min} and ${max} are in range, ${min - 1} and ${max + 1} are not`, () => {
      const outOfRange = (v: number) =>
        configIssues("dev", { ...extra, [K(name)]: String(v) }).filter((i) =>
          i.startsWith(`${K(name)} = ${v}: must be between`),
        ).length;
      assert.deepStrictEqual([min, max, min - 1, max + 1].map(outOfRange), [0, 0, 1, 1]);
    });

  it("originVerifySecret: 24 to 128 of the allowed characters pass through unchanged", async () => {
    for (const good of ["a".repeat(24), "A0_.~+=/-".repeat(14).slice(0, 128)]) {
      const config = loadStack("dev", { [K("originVerifySecret")]: good });
      const secret = config.webService!.originVerifySecret as unknown as { promise(): Promise<string> };
      assert.strictEqual(await secret.promise(), good);
    }
    for (const bad of ["a".repeat(23), "a".repeat(129), `${"a".repeat(24)} `]) {
      const config = loadStack("dev", { [K("originVerifySecret")]: bad });
      const secret = config.webService!.originVerifySecret as unknown as { promise(): Promise<string> };
      await assert.rejects(secret.promise(), /originVerifySecret must be 24-128 characters/);
    }
    assert.strictEqual(
      loadStack("dev", { [K("serviceEnabled")]: "false", [K("originVerifySecret")]: undefined }).webService,
      undefined,
    );
  });

  it("reads the switches and modes it is given, not its fallbacks", () => {
    const off = loadStack("dev", {
      ...WORKER_ON,
      [K("serviceReadOnlyRootFilesystem")]: "false",
      [K("serviceAlbAccessLogs")]: "false",
      [K("serviceContainerInsights")]: "enhanced",
      [K("serviceArchitecture")]: "ARM64",
      [K("workerArchitecture")]: "ARM64",
    });
    assert.deepStrictEqual(
      [
        off.webService!.readOnlyRootFilesystem,
        off.webService!.albAccessLogs,
        off.containerInsights,
        off.webService!.architecture,
        off.worker!.architecture,
      ],
      [false, false, "enhanced", "ARM64", "ARM64"],
    );
    const on = loadStack("dev", {
      ...WORKER_ON,
      [K("serviceReadOnlyRootFilesystem")]: "true",
      [K("serviceAlbAccessLogs")]: "true",
    });
    assert.deepStrictEqual(
      [
        on.webService!.readOnlyRootFilesystem,
        on.webService!.albAccessLogs,
        on.worker !== undefined,
        on.webService !== undefined,
      ],
      [true, true, true, true],
    );
    const figures = loadStack("dev", {
      ...WORKER_ON,
      [K("serviceTargetCpuPercent")]: "55",
      [K("serviceTargetMemoryPercent")]: "65",
      [K("serviceEcrImagesKept")]: "7",
      [K("wafRateLimit")]: "3000",
      [K("workerBacklogPerTask")]: "9",
      [K("workerOnDemandBase")]: "2",
      [K("workerMinTasks")]: "2",
      [K("workerMaxTasks")]: "6",
      [K("serviceHealthCheckPath")]: "/healthz",
      [K("serviceContainerPort")]: "9090",
    });
    assert.deepStrictEqual(
      [
        figures.webService!.targetCpuPercent,
        figures.webService!.targetMemoryPercent,
        figures.webService!.imagesKept,
        figures.waf.rateLimit,
        figures.worker!.backlogPerTask,
        figures.worker!.onDemandBase,
        figures.worker!.minTasks,
        figures.worker!.maxTasks,
        figures.worker!.queue,
        figures.webService!.healthCheckPath,
        figures.webService!.containerPort,
      ],
      [55, 65, 7, 3000, 9, 2, 2, 6, "dev", "/healthz", 9090],
    );
  });

  it("userProblem says which rule a user breaks", () => {
    assert.match(userProblem("0")!, /root/);
    assert.match(userProblem("a b")!, /uid, uid:gid/);
    assert.strictEqual(userProblem("1000"), undefined);
  });
});
