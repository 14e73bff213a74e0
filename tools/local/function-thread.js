// One local "Lambda" sandbox: a worker thread that loads a function's entry module (its bundle, or TypeScript
// through the project's loader) with the function's own environment, and runs the invocations its host posts,
// with a Lambda-like context. Plain JavaScript: a worker thread starts without the TypeScript loader.
"use strict";
const { parentPort, workerData } = require("node:worker_threads");

if (workerData.entry.endsWith(".ts")) require(workerData.register);
// As NODE_OPTIONS=--enable-source-maps does on Lambda: stack traces name the TypeScript lines.
else process.setSourceMapsEnabled(true);
const entry = require(workerData.entry);
const handler = entry[workerData.handler];
if (typeof handler !== "function")
  throw new Error(`${workerData.entry} exports no function ${workerData.handler}`);

parentPort.on("message", async (message) => {
  const deadline = Date.now() + message.timeoutMs;
  const context = {
    awsRequestId: message.requestId,
    functionName: workerData.functionName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(message.event, context);
    parentPort.postMessage({ id: message.id, result });
  } catch (error) {
    parentPort.postMessage({
      id: message.id,
      error: { name: error?.name ?? "Error", message: error?.message ?? String(error), stack: error?.stack },
    });
  }
});
parentPort.postMessage({ ready: true });
