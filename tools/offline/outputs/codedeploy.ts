import { MockTable, uuid } from "./context";

export const CODEDEPLOY_OUTPUTS: MockTable = {
  "aws:codedeploy/application:Application": (c) => {
    const { seed, physical } = c;
    return {
      id: uuid(seed),
      applicationId: uuid(seed),
      arn: c.arn("codedeploy", `application:${physical}`),
    };
  },
  "aws:codedeploy/deploymentGroup:DeploymentGroup": (c) => {
    const { inputs, seed, physical } = c;
    return {
      id: `${String(inputs["appName"])}:${physical}`,
      deploymentGroupId: uuid(seed),
      arn: c.arn("codedeploy", `deploymentgroup:${String(inputs["appName"])}/${physical}`),
    };
  },
};
