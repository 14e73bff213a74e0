// Regenerates lib/aws-type-facts.json from the installed @pulumi/aws. Run after upgrading @pulumi/aws.
import * as fs from "fs";
import * as path from "path";
import { GeneratedAwsTypeFacts, scanAwsTypes } from "../lib/aws-types";
import { awsPackageDir, taggableAliasesOf } from "../policy/lib/aliases";

export { awsPackageDir };

if (require.main === module) {
  const dir = awsPackageDir();
  const version = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version as string;
  const facts = scanAwsTypes(dir);
  const generated: GeneratedAwsTypeFacts = {
    awsVersion: version,
    ...facts,
    taggableAliases: taggableAliasesOf(facts.taggable, dir),
  };
  const out = path.join(__dirname, "..", "lib", "aws-type-facts.json");
  fs.writeFileSync(out, JSON.stringify(generated, null, 1) + "\n");
  console.log(
    `${facts.taggable.length} taggable and ${Object.keys(facts.autonamed).length} auto-named types ` +
      `from @pulumi/aws ${version} -> ${path.relative(process.cwd(), out)}`,
  );
}
