/**
 * Seed 003's access patterns on the single table, through the DynamoDB document client. Every write that could
 * race is conditional: creates require the item to be absent, updates the version the client read.
 */
import { createHash } from "node:crypto";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  BatchWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { ApiError } from "./http";
import { TABLE_KEYS, TTL_ATTRIBUTE } from "../../../contracts/table";

/** Idempotency records live a day: a client retries within minutes, and TTL removes them for free. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export type Item = Record<string, unknown>;

export const projectKey = (id: string) => ({ PK: `PROJECT#${id}`, SK: "METADATA" });
export const templateKey = (id: string) => ({ PK: `TEMPLATE#${id}`, SK: "METADATA" });
const idempotencyKey = (scope: string, key: string) => ({ PK: `IDEMPOTENCY#${key}`, SK: scope });

/** A project's item: its fields under its key, indexed by owner (GSI1, newest first) and status (GSI2). */
export function projectItem(project: Item): Item {
  const id = project.id as string;
  return {
    ...projectKey(id),
    GSI1PK: `OWNER#${project.owner_id as string}`,
    GSI1SK: `PROJECT#${project.created_at as string}#${id}`,
    GSI2PK: `STATUS#${project.status as string}`,
    GSI2SK: `PROJECT#${id}`,
    EntityType: "Project",
    ...project,
  };
}

/** What a client sees of an item: the key attributes stay internal. */
export function publicView(item: Item): Item {
  const {
    PK: _pk,
    SK: _sk,
    GSI1PK: _g1,
    GSI1SK: _g1s,
    GSI2PK: _g2,
    GSI2SK: _g2s,
    EntityType: _e,
    ...rest
  } = item;
  return rest;
}

export function requestHash(body: unknown): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("hex");
}

export interface IdempotentRecord {
  readonly status: number;
  readonly data: Item;
  readonly queued: boolean;
}

export interface Page {
  readonly items: Item[];
  readonly nextToken?: string;
}

function conditionFailed(error: unknown): boolean {
  return (error as { name?: string })?.name === "ConditionalCheckFailedException";
}

function encodeToken(key: Item | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString("base64url") : undefined;
}

function decodeToken(token: string | undefined): Item | undefined {
  if (token === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (key && typeof key === "object" && !Array.isArray(key)) return key as Item;
  } catch {
    // reported below
  }
  throw new ApiError(400, "VALIDATION_ERROR", "next_token is not a token this API returned", {
    field: "next_token",
  });
}

export class Store {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Writes `item`, which must not exist yet. With an idempotency key, a record of the request (its hash, the
   * item and the response) is written first, conditionally: a retry finds it and gets the earlier response
   * (finishing the write if the first attempt stopped between the two puts), and the same key with another
   * request is refused with IDEMPOTENCY_KEY_REUSED. Two conditional puts, not a transaction: they cost half
   * as much and the record makes the pair safe to repeat.
   */
  async putOnce(args: {
    item: Item;
    idempotency?: { scope: string; key: string; hash: string; nowSeconds: number };
    response: { status: number; data: Item; queued: boolean };
    alreadyExists: () => ApiError;
  }): Promise<IdempotentRecord | undefined> {
    const idem = args.idempotency;
    let item = args.item;
    let earlier: IdempotentRecord | undefined;
    if (idem) {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...idempotencyKey(idem.scope, idem.key),
              EntityType: "Idempotency",
              request_hash: idem.hash,
              item: args.item,
              completed: false,
              response_status: args.response.status,
              response_data: args.response.data,
              queued: args.response.queued,
              [TTL_ATTRIBUTE]: idem.nowSeconds + IDEMPOTENCY_TTL_SECONDS,
            },
            ConditionExpression: "attribute_not_exists(PK)",
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error;
        const record = await this.idempotencyRecord(idem.scope, idem.key);
        if (!record)
          throw new ApiError(
            409,
            "CONFLICT",
            "A request with this Idempotency-Key is being processed; retry",
          );
        if (record.request_hash !== idem.hash)
          throw new ApiError(
            422,
            "IDEMPOTENCY_KEY_REUSED",
            "This Idempotency-Key was used with a different request",
          );
        earlier = {
          status: record.response_status as number,
          data: record.response_data as Item,
          queued: record.queued === true,
        };
        if (record.completed === true) return earlier;
        item = record.item as Item;
      }
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    } catch (error) {
      // On a resumed request the item may be there already: the first attempt wrote it.
      if (!conditionFailed(error)) throw error;
      if (!earlier) throw args.alreadyExists();
    }
    if (idem) {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: idempotencyKey(idem.scope, idem.key),
          UpdateExpression: "SET completed = :t",
          ExpressionAttributeValues: { ":t": true },
        }),
      );
    }
    return earlier;
  }

  private async idempotencyRecord(scope: string, key: string): Promise<Item | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: idempotencyKey(scope, key), ConsistentRead: true }),
    );
    return out.Item;
  }

  async markQueued(scope: string, key: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: idempotencyKey(scope, key),
        UpdateExpression: "SET queued = :t",
        ExpressionAttributeValues: { ":t": true },
      }),
    );
  }

  async get(key: { PK: string; SK: string }): Promise<Item | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  /** Projects of one owner, newest first (GSI1), or in one status (GSI2). */
  async listProjects(
    by: { ownerId?: string; status?: string },
    limit: number,
    token?: string,
  ): Promise<Page> {
    const index = by.ownerId !== undefined ? TABLE_KEYS.gsi1 : TABLE_KEYS.gsi2;
    const value = by.ownerId !== undefined ? `OWNER#${by.ownerId}` : `STATUS#${by.status}`;
    return this.queryIndex(index, value, "PROJECT#", limit, token, by.ownerId !== undefined);
  }

  async listTemplates(limit: number, token?: string): Promise<Page> {
    return this.queryIndex(TABLE_KEYS.gsi2, "TYPE#TEMPLATE", "TEMPLATE#", limit, token, false);
  }

  private async queryIndex(
    index: { name: string; partition: string; sort: string },
    value: string,
    sortPrefix: string,
    limit: number,
    token: string | undefined,
    newestFirst: boolean,
  ): Promise<Page> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: index.name,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
        ExpressionAttributeNames: { "#pk": index.partition, "#sk": index.sort },
        ExpressionAttributeValues: { ":pk": value, ":prefix": sortPrefix },
        Limit: limit,
        ScanIndexForward: !newestFirst,
        ExclusiveStartKey: decodeToken(token),
      }),
    );
    return { items: (out.Items ?? []).map(publicView), nextToken: encodeToken(out.LastEvaluatedKey) };
  }

  /**
   * Applies `changes` if the project is still at `version`; returns the new item. Throws NOT_FOUND or CONFLICT
   * (with the current version) otherwise.
   */
  async updateProject(id: string, version: number, changes: Item, updatedAt: string): Promise<Item> {
    const names: Record<string, string> = { "#version": "version", "#updated_at": "updated_at" };
    const values: Item = { ":expected": version, ":one": 1, ":updated_at": updatedAt };
    const sets = ["#updated_at = :updated_at"];
    for (const [field, value] of Object.entries(changes)) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (typeof changes.status === "string") {
      names["#gsi2pk"] = TABLE_KEYS.gsi2.partition;
      values[":gsi2pk"] = `STATUS#${changes.status}`;
      sets.push("#gsi2pk = :gsi2pk");
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: projectKey(id),
          UpdateExpression: `SET ${sets.join(", ")} ADD #version :one`,
          ConditionExpression: "attribute_exists(PK) AND #version = :expected",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return publicView(out.Attributes ?? {});
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const current = await this.get(projectKey(id));
      if (!current) throw notFound("project", id);
      throw new ApiError(409, "CONFLICT", "The project changed since it was read; read it again and retry", {
        expected_version: version,
        current_version: current.version,
      });
    }
  }

  /** Deletes the project item (conditionally), then its files and modifications. */
  async deleteProject(id: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: projectKey(id),
          ConditionExpression: "attribute_exists(PK)",
        }),
      );
    } catch (error) {
      if (conditionFailed(error)) throw notFound("project", id);
      throw error;
    }
    let start: Item | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": projectKey(id).PK },
          ProjectionExpression: "PK, SK",
          ExclusiveStartKey: start,
        }),
      );
      const keys = page.Items ?? [];
      for (let i = 0; i < keys.length; i += 25) {
        let requests: Item[] | undefined = keys
          .slice(i, i + 25)
          .map((k) => ({ DeleteRequest: { Key: { PK: k.PK, SK: k.SK } } }));
        // Unprocessed items (throttling) are retried until none is left.
        while (requests && requests.length > 0) {
          const out = await this.doc.send(
            new BatchWriteCommand({ RequestItems: { [this.table]: requests } }),
          );
          requests = out.UnprocessedItems?.[this.table] as Item[] | undefined;
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /** Every item of partition `pk` whose sort key starts with `prefix` (all pages). */
  async queryPartition(pk: string, prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
          ExpressionAttributeValues: { ":pk": pk, ":prefix": prefix },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async put(item: Item): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
  }
}

export function notFound(kind: string, id: string): ApiError {
  return new ApiError(404, "NOT_FOUND", `No ${kind} with id ${id}`, { id });
}
