import { strict as assert } from "node:assert";
import { RejectedError } from "../../functions/shared/outcome";
import { parseS3Message } from "../../functions/shared/s3-event";
import { fixture } from "./helpers/events";

describe("functions/shared/s3-event", () => {
  it("parses an ObjectCreated notification and decodes the form-encoded key", () => {
    // Prepare
    const body = JSON.stringify(fixture("s3-object-created.json"));
    // Act
    const message = parseS3Message(body);
    // Assess
    assert.deepEqual(message, {
      kind: "events",
      created: [
        {
          eventName: "ObjectCreated:Put",
          bucket: "raw-bucket",
          key: "docs/Getting Started été + more.md",
          size: 1024,
          eTag: "d41d8cd98f00b204e9800998ecf8427e",
          versionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko",
        },
      ],
      ignored: [],
    });
  });

  it("recognises the s3:TestEvent S3 sends when notifications are configured", () => {
    const message = parseS3Message(JSON.stringify(fixture("s3-test-event.json")));
    assert.deepEqual(message, { kind: "test", bucket: "raw-bucket" });
  });

  it("lists events other than ObjectCreated as ignored", () => {
    const message = parseS3Message(JSON.stringify(fixture("s3-object-removed.json")));
    assert.deepEqual(message, { kind: "events", created: [], ignored: ["ObjectRemoved:Delete"] });
  });

  it('drops the versionId S3 sends as "null" for versioning-suspended buckets', () => {
    // Prepare
    const message = fixture<{ Records: { s3: { object: Record<string, unknown> } }[] }>(
      "s3-object-created.json",
    );
    message.Records[0].s3.object.versionId = "null";
    // Act
    const parsed = parseS3Message(JSON.stringify(message));
    // Assess
    assert.ok(parsed.kind === "events" && parsed.created[0].versionId === undefined);
  });

  it("rejects malformed bodies as malformed-event, quoting what it got", () => {
    const bodies = fixture<Record<string, string>>("malformed-bodies.json");
    for (const [name, body] of Object.entries(bodies)) {
      assert.throws(
        () => parseS3Message(body),
        (error: unknown) =>
          error instanceof RejectedError &&
          error.reason === "malformed-event" &&
          /not an S3 event notification/.test(error.message),
        name,
      );
    }
  });
});
