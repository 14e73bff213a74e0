/** Removing a connection's items: on $disconnect, and when the management API answers 410 Gone. */
import {
  BatchWriteCommand,
  BatchWriteCommandInput,
  DynamoDBDocumentClient,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import { CONNECTIONS_TABLE } from "../../contracts/connections";

/** Every item of a connection (the connection and its subscriptions), deleted in batches of 25. */
export async function removeConnection(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  connectionId: string,
): Promise<number> {
  const keys: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": CONNECTIONS_TABLE.partition, "#sk": CONNECTIONS_TABLE.sort },
        ExpressionAttributeValues: { ":pk": `CONN#${connectionId}` },
        ProjectionExpression: "#pk, #sk",
        ExclusiveStartKey: start,
      }),
    );
    keys.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  for (let i = 0; i < keys.length; i += 25) {
    let requests: NonNullable<BatchWriteCommandInput["RequestItems"]> = {
      [tableName]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })),
    };
    // Unprocessed items (throttling) are sent again, a bounded number of times.
    for (let attempt = 0; attempt < 5 && Object.keys(requests).length > 0; attempt++) {
      const out = await ddb.send(new BatchWriteCommand({ RequestItems: requests }));
      requests = (out.UnprocessedItems ?? {}) as typeof requests;
      if (Object.keys(requests).length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
    if (Object.keys(requests).length > 0)
      throw new Error(`could not delete every item of connection ${connectionId} (throttled)`);
  }
  return keys.length;
}
