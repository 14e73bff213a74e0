import * as fs from "fs";
import * as path from "path";

/**
 * Which @pulumi/aws resource types take a `tags` map, derived from the provider's own type declarations
 * (a resource is taggable when its `<Name>Args` interface declares `tags?: pulumi.Input<{ [key: string]: ... }>`).
 * The list is generated (`npm run gen:aws-types`) into aws-type-facts.json rather than kept by hand, and a
 * test regenerates it to prove it matches the installed @pulumi/aws. Both the tagging transformation and the
 * policy pack read it.
 */
export function scanTaggableTypes(awsPackageDir: string): string[] {
  return scanAwsTypes(awsPackageDir).taggable;
}

/** Facts read from @pulumi/aws's declarations: taggable types and types whose `name` the provider generates. */
export interface AwsTypeFacts {
  taggable: string[];
  /** Types whose Args declare an optional `name` (or, for buckets, `bucket`): the provider auto-names them. */
  autonamed: Record<string, string>;
}

/** The generated file: the scanned facts, the @pulumi/aws version they come from, and the taggable aliases. */
export interface GeneratedAwsTypeFacts extends AwsTypeFacts {
  awsVersion: string;
  /** Legacy tokens of taggable resources (policy/lib/aliases.ts taggableAliasesOf). */
  taggableAliases: string[];
}

const AUTONAME_PROPERTY: Record<string, string> = {
  "aws:s3/bucket:Bucket": "bucket",
  "aws:s3/bucketV2:BucketV2": "bucket",
  "aws:rds/instance:Instance": "identifier",
  "aws:rds/cluster:Cluster": "clusterIdentifier",
  "aws:elasticache/replicationGroup:ReplicationGroup": "replicationGroupId",
};

export function scanAwsTypes(awsPackageDir: string): AwsTypeFacts {
  const types: string[] = [];
  const autonamed: Record<string, string> = {};
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "types") visit(full);
        continue;
      }
      if (!entry.name.endsWith(".js")) continue;
      const js = fs.readFileSync(full, "utf8");
      const m = /static __pulumiType = '(aws:[^']+)'/.exec(js);
      if (!m) continue;
      const dts = full.replace(/\.js$/, ".d.ts");
      if (!fs.existsSync(dts)) continue;
      const decl = fs.readFileSync(dts, "utf8");
      const args = /export interface \w+Args \{([\s\S]*?)\n\}/.exec(decl);
      if (!args) continue;
      // A map of string to string; list-shaped tags (autoscaling groups) take a different form.
      if (/\n    tags\?: pulumi\.Input<\{\s*\[key: string\]: pulumi\.Input<string>;/.test(args[1])) {
        types.push(m[1]);
      }
      const nameProp = AUTONAME_PROPERTY[m[1]] ?? "name";
      if (new RegExp(`\\n    ${nameProp}\\?: pulumi\\.Input<string`).test(args[1])) {
        autonamed[m[1]] = nameProp;
      }
    }
  };
  visit(awsPackageDir);
  return {
    taggable: types.sort(),
    autonamed: Object.fromEntries(Object.entries(autonamed).sort(([a], [b]) => a.localeCompare(b))),
  };
}

let cached:
  | {
      taggable: ReadonlySet<string>;
      taggableAliases: ReadonlySet<string>;
      autonamed: Readonly<Record<string, string>>;
    }
  | undefined;

function facts() {
  if (!cached) {
    const json = require("./aws-type-facts.json") as GeneratedAwsTypeFacts;
    cached = {
      taggable: new Set(json.taggable),
      taggableAliases: new Set(json.taggableAliases),
      autonamed: json.autonamed,
    };
  }
  return cached;
}

/** Legacy tokens of taggable resources, which a program on an older SDK may still register. */
export function taggableAliases(): ReadonlySet<string> {
  return facts().taggableAliases;
}

/** The generated set of taggable type tokens. */
export function taggableTypes(): ReadonlySet<string> {
  return facts().taggable;
}

/** The property the provider auto-names for this type (usually `name`), or undefined. */
export function autonamedProperty(type: string): string | undefined {
  return facts().autonamed[type];
}

export function isTaggable(type: string): boolean {
  return taggableTypes().has(type);
}
