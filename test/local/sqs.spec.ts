import { strict as assert } from "node:assert";
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { LocalSqs } from "../../tools/local/sqs";

describe("local SQS: the semantics the agents rely on, over the JSON protocol", function () {
  this.timeout(20_000);
  let sqs: LocalSqs;
  let client: SQSClient;
  before(async () => {
    sqs = await new LocalSqs().start();
    client = new SQSClient({
      endpoint: sqs.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
      maxAttempts: 1,
    });
  });
  after(async () => {
    client.destroy();
    await sqs.close();
  });

  it("hides a received message for the visibility timeout, then delivers it again with its receive count up", async () => {
    const q = sqs.create("visibility", { visibilityTimeoutSeconds: 0.3 });
    await client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "hello" }));
    const first = await client.send(
      new ReceiveMessageCommand({ QueueUrl: q.url, MessageSystemAttributeNames: ["All"] }),
    );
    assert.equal(first.Messages?.[0].Body, "hello");
    assert.equal(first.Messages?.[0].Attributes?.ApproximateReceiveCount, "1");
    const hidden = await client.send(new ReceiveMessageCommand({ QueueUrl: q.url }));
    assert.equal(hidden.Messages?.length ?? 0, 0, "invisible while in flight");
    const again = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: q.url,
        WaitTimeSeconds: 2,
        MessageSystemAttributeNames: ["All"],
      }),
    );
    assert.equal(again.Messages?.[0].Attributes?.ApproximateReceiveCount, "2");
    // The first receipt handle is stale now; the latest deletes.
    await assert.rejects(
      client.send(
        new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: first.Messages![0].ReceiptHandle }),
      ),
      { name: "ReceiptHandleIsInvalid" },
    );
    await client.send(
      new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: again.Messages![0].ReceiptHandle }),
    );
    assert.deepEqual(q.counts(), { visible: 0, inFlight: 0 });
  });

  it("moves a message received maxReceiveCount times to the dead-letter queue instead of delivering it again", async () => {
    const dlq = sqs.create("poison-dlq", { visibilityTimeoutSeconds: 30 });
    const q = sqs.create("poison", { visibilityTimeoutSeconds: 0, maxReceiveCount: 2, deadLetterQueue: dlq });
    q.send("poison");
    assert.equal((await q.receive())[0].attributes.ApproximateReceiveCount, "1");
    assert.equal((await q.receive())[0].attributes.ApproximateReceiveCount, "2");
    assert.deepEqual(await q.receive(), []);
    assert.deepEqual(dlq.sent, ["poison"]);
    assert.deepEqual(q.counts(), { visible: 0, inFlight: 0 });
  });

  it("long-polls: a receive waiting on an empty queue returns as soon as a message arrives", async () => {
    const q = sqs.create("long-poll", { visibilityTimeoutSeconds: 30 });
    const started = Date.now();
    const waiting = client.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 5 }));
    setTimeout(() => q.send("late"), 100);
    const got = await waiting;
    assert.equal(got.Messages?.[0].Body, "late");
    assert.ok(Date.now() - started < 2000);
  });

  it("answers an unknown queue as SQS does", async () => {
    await assert.rejects(
      client.send(
        new SendMessageCommand({ QueueUrl: `${sqs.endpoint}/000000000000/nope`, MessageBody: "x" }),
      ),
      { name: "QueueDoesNotExist" },
    );
  });
});
