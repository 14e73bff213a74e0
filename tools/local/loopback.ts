/** What every local server shares: listening on loopback, closing with its open connections, the AWS JSON protocol. */
import { createServer, Server } from "node:http";
import type { Http2Server } from "node:http2";
import type { AddressInfo } from "node:net";

/** Listens on 127.0.0.1 (`port` 0: a free one); resolves with the port. */
export async function listenOnLoopback(server: Server | Http2Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Closes `server` and every connection still open on it. */
export async function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * A server of the AWS JSON protocol (SQS, EventBridge, Secrets Manager): each request names its operation in
 * X-Amz-Target (`<prefix>.<operation>`) and carries a JSON input; `handle` answers with a status and a body.
 */
export function awsJsonServer(
  contentType: string,
  handle: (operation: string, input: Record<string, unknown>) => Promise<[number, object]> | [number, object],
): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const operation = target.slice(target.lastIndexOf(".") + 1);
      let answer: [number, object];
      try {
        answer = await handle(operation, JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"));
      } catch (error) {
        answer = [500, { __type: "InternalFailure", message: String(error) }];
      }
      res.writeHead(answer[0], { "content-type": contentType });
      res.end(JSON.stringify(answer[1]));
    });
  });
}
