import { MockAnswer, MockTable, hex } from "./context";

const v2Child: MockAnswer = (c) => {
  const { seed } = c;
  return { id: hex(seed, 7) };
};

export const APIGATEWAY_OUTPUTS: MockTable = {
  // REST API (v1): a 10-character id, the execute-api ARN its permissions scope to, the stage's URL.
  "aws:apigateway/restApi:RestApi": (c) => {
    const { seed, region, accountId } = c;
    const id = hex(seed, 10);
    return {
      id,
      rootResourceId: hex(seed + "root", 10),
      executionArn: `arn:${c.partition}:execute-api:${region}:${accountId}:${id}`,
      arn: `arn:${c.partition}:apigateway:${region}::/restapis/${id}`,
    };
  },
  "aws:apigateway/deployment:Deployment": (c) => {
    const { seed } = c;
    return { id: hex(seed, 6), createdDate: "2026-01-01T00:00:00Z" };
  },
  "aws:apigateway/stage:Stage": (c) => {
    const { inputs, region, accountId } = c;
    const api = String(inputs["restApi"]);
    const stage = String(inputs["stageName"]);
    return {
      id: `ags-${api}-${stage}`,
      arn: `arn:${c.partition}:apigateway:${region}::/restapis/${api}/stages/${stage}`,
      executionArn: `arn:${c.partition}:execute-api:${region}:${accountId}:${api}/${stage}`,
      invokeUrl: `https://${api}.execute-api.${region}.${c.dnsSuffix}/${stage}`,
    };
  },
  "aws:apigateway/apiKey:ApiKey": (c) => {
    const { seed } = c;
    return { id: hex(seed, 10), value: hex(seed + "value", 40) };
  },
  "aws:apigateway/usagePlan:UsagePlan": (c) => {
    const { seed } = c;
    return { id: hex(seed, 6) };
  },
  "aws:apigateway/account:Account": () => {
    return { id: "api-gateway-account" };
  },
  // API Gateway v2: the API's id is 10 lower-case characters; WebSocket APIs answer on wss://.
  "aws:apigatewayv2/api:Api": (c) => {
    const { inputs, seed, region } = c;
    const id = hex(seed, 10);
    const scheme = inputs["protocolType"] === "WEBSOCKET" ? "wss" : "https";
    return {
      id,
      arn: `arn:${c.partition}:apigateway:${region}::/apis/${id}`,
      apiEndpoint: `${scheme}://${id}.execute-api.${region}.${c.dnsSuffix}`,
      executionArn: c.arn("execute-api", id),
    };
  },
  "aws:apigatewayv2/stage:Stage": (c) => {
    const { inputs, physical, region } = c;
    const apiId = String(inputs["apiId"]);
    return {
      id: physical,
      arn: `arn:${c.partition}:apigateway:${region}::/apis/${apiId}/stages/${physical}`,
      executionArn: c.arn("execute-api", `${apiId}/${physical}`),
    };
  },
  "aws:apigatewayv2/route:Route": v2Child,
  "aws:apigatewayv2/routeResponse:RouteResponse": v2Child,
  "aws:apigatewayv2/integration:Integration": v2Child,
  "aws:apigatewayv2/deployment:Deployment": v2Child,
};
