import * as assert from "assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dynamoJson, ProjectTemplates } from "../../components/agents/project-templates";
import { readTemplateCatalog, templateItem } from "../../components/agents/template-catalog";
import { evaluate, named, ofType, REPO_ROOT } from "../helpers/offline";

const DIR = join(REPO_ROOT, "templates", "projects");

describe("ProjectTemplates", function () {
  this.timeout(60_000);

  it("seeds seed 003's templates: every file under templates/<id>/ and each template's table item", async () => {
    const { resources } = await evaluate(
      () => new ProjectTemplates("templates", { dir: DIR, bucketName: "artifacts", tableName: "data" }),
    );
    const objects = ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2").map((o) => [
      o.inputs.key,
      o.inputs.contentType,
    ]);
    assert.deepStrictEqual(objects, [
      ["templates/rest-api-fastapi/README.md", "text/markdown; charset=utf-8"],
      ["templates/rest-api-fastapi/main.py", "text/x-python; charset=utf-8"],
      ["templates/rest-api-fastapi/requirements.txt", "text/plain; charset=utf-8"],
      ["templates/web-app-react/README.md", "text/markdown; charset=utf-8"],
      ["templates/web-app-react/index.html", "text/html; charset=utf-8"],
      ["templates/web-app-react/package.json", "application/json"],
      ["templates/web-app-react/src/App.jsx", "text/javascript; charset=utf-8"],
      ["templates/web-app-react/src/main.jsx", "text/javascript; charset=utf-8"],
    ]);
    assert.ok(
      ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2").every((o) => o.inputs.bucket === "artifacts"),
    );
    const item = named(resources, "templates-rest-api-fastapi").inputs;
    assert.deepStrictEqual([item.tableName, item.hashKey, item.rangeKey], ["data", "PK", "SK"]);
    const [fastapi] = readTemplateCatalog(DIR);
    assert.deepStrictEqual(
      JSON.parse(item.item as string),
      (dynamoJson(templateItem(fastapi.metadata)) as { M: object }).M,
    );
    assert.deepStrictEqual(JSON.parse(item.item as string).required_vars, {
      L: [{ S: "project_name" }, { S: "db_name" }],
    });
  });

  it("refuses a template folder with problems, naming each", () => {
    const root = mkdtempSync(join(tmpdir(), "templates-"));
    try {
      mkdirSync(join(root, "Bad_Id", "files"), { recursive: true });
      writeFileSync(
        join(root, "Bad_Id", "template.json"),
        JSON.stringify({ id: "other", name: "", category: "toy", required_vars: "db" }),
      );
      writeFileSync(join(root, "Bad_Id", "files", "main.py"), "{{secret}}");
      assert.throws(() => readTemplateCatalog(root), {
        message: [
          "project templates:",
          "  - templates/projects/Bad_Id: the folder name must be a template id (^[a-z0-9][a-z0-9-]{0,99}$)",
          '  - templates/projects/Bad_Id/template.json: id "other" must be the folder name Bad_Id',
          "  - templates/projects/Bad_Id/template.json: name must be a non-empty string",
          '  - templates/projects/Bad_Id/template.json: category "toy" must be one of api, web, mobile, data, microservice',
          "  - templates/projects/Bad_Id/template.json: required_vars must be a list of strings",
          "  - templates/projects/Bad_Id/files/main.py: {{secret}} is not a variable of the template (project_name)",
        ].join("\n"),
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
