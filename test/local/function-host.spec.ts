import { strict as assert } from "node:assert";
import WebSocket from "ws";
import { FunctionHost, InvocationError } from "../../tools/local/function-host";
import { LocalWebSocketGateway } from "../../tools/local/websocket-gateway";

const spec = (timeoutSeconds = 5) => ({
  name: "recording",
  entry: "test/fixtures/local/recording-function.ts",
  env: { GREETING: "hello" },
  timeoutSeconds,
});

describe("local functions: sandboxes and a clean stop", function () {
  this.timeout(20_000);

  it("runs the entry in a thread with the function's own environment; a timeout stops the thread", async () => {
    const host = new FunctionHost(spec(1));
    try {
      assert.deepEqual(await host.invoke({}), { statusCode: 200, route: undefined, greeting: "hello" });
      await assert.rejects(host.invoke({ wait_ms: 1500 }), { errorName: "Sandbox.Timedout" } as object);
      assert.deepEqual(await host.invoke({}), { statusCode: 200, route: undefined, greeting: "hello" });
      assert.equal(host.coldStarts, 2);
    } finally {
      await host.close();
    }
  });

  it("refuses every invocation once closed, and starts no thread for it", async () => {
    const host = new FunctionHost(spec());
    await host.start();
    await host.close();
    const late = host.invoke({});
    await assert.rejects(late, (error: InvocationError) => error.errorName === "Runtime.ExitError");
    assert.equal(host.coldStarts, 1);
  });

  it("closing the WebSocket gateway waits for $disconnects in flight and sends none for the sockets it closes", async () => {
    const host = new FunctionHost(spec());
    const routes: string[] = [];
    const invoke = host.invoke.bind(host);
    host.invoke = async (event: unknown) => {
      const route = (event as { requestContext: { routeKey: string } }).requestContext.routeKey;
      const result = await invoke({ ...(event as object), wait_ms: 300 });
      routes.push(route); // when it finished
      return result;
    };
    const gateway = await new LocalWebSocketGateway().listen();
    gateway.attach(host, undefined);
    try {
      const open = async () => {
        const socket = new WebSocket(gateway.url);
        await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
        return socket;
      };
      const leaving = await open();
      await open(); // still open when the gateway closes
      await new Promise((resolve) => {
        leaving.once("close", resolve);
        leaving.close();
      });
      await new Promise((resolve) => setTimeout(resolve, 50)); // the server sees the close
      await gateway.close();
      // The $disconnect in flight finished before close returned; the sockets it closed sent none.
      assert.deepEqual(routes, ["$connect", "$connect", "$disconnect"]);
    } finally {
      await gateway.close();
      await host.close();
    }
  });
});
