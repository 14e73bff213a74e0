import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { contentTypeOf } from "../../contracts/artifacts";
import { TABLE_KEYS } from "../../contracts/table";
import { ProjectTemplate, readTemplateCatalog, templateItem } from "./template-catalog";
import { PlatformComponent } from "../shared/tagging";

export interface ProjectTemplatesArgs {
  /** The repository's templates folder (templates/projects). */
  readonly dir: string;
  /** The artifacts bucket: files go to templates/<id>/<path>. */
  readonly bucketName: pulumi.Input<string>;
  /** The Data table: each template's metadata item (TEMPLATE#<id>). */
  readonly tableName: pulumi.Input<string>;
}

/** DynamoDB's JSON for a plain value: what aws.dynamodb.TableItem takes. */
export function dynamoJson(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(dynamoJson) };
  return { M: Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, dynamoJson(v)])) };
}

/**
 * `agent-platform:index:ProjectTemplates`: the project templates, seeded from the repository
 * (templates/projects, read by components/agents/template-catalog.ts): each file an object under templates/<id>/ in
 * the artifacts bucket (its default encryption applies), each template's metadata an item of the Data table,
 * which `GET /api/templates` lists and `POST /api/projects/from-template` reads.
 */
export class ProjectTemplates extends PlatformComponent {
  readonly templateIds: string[];

  constructor(name: string, args: ProjectTemplatesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-platform:index:ProjectTemplates", name, "project-templates", opts);
    const templates: ProjectTemplate[] = readTemplateCatalog(args.dir);
    for (const { metadata, files } of templates) {
      const item = templateItem(metadata);
      new aws.dynamodb.TableItem(
        `${name}-${metadata.id}`,
        {
          tableName: args.tableName,
          hashKey: TABLE_KEYS.partition,
          rangeKey: TABLE_KEYS.sort,
          item: JSON.stringify((dynamoJson(item) as { M: object }).M),
        },
        { parent: this },
      );
      for (const file of files)
        new aws.s3.BucketObjectv2(
          `${name}-${metadata.id}-${file.path.replace(/[^A-Za-z0-9]+/g, "-")}`,
          {
            bucket: args.bucketName,
            key: file.key,
            source: new pulumi.asset.FileAsset(file.source),
            contentType: contentTypeOf(file.path),
          },
          { parent: this },
        );
    }
    this.templateIds = templates.map((t) => t.metadata.id);
    this.registerOutputs({ templateIds: this.templateIds });
  }
}
