import { MockTable, hex } from "./context";

export const SES_OUTPUTS: MockTable = {
  // SES: Easy DKIM returns three tokens (32 lower-case characters each); names are explicit inputs.
  "aws:sesv2/emailIdentity:EmailIdentity": (c) => {
    const { inputs, seed } = c;
    const identity = String(inputs["emailIdentity"]);
    return {
      id: identity,
      arn: c.arn("ses", `identity/${identity}`),
      identityType: identity.includes("@") ? "EMAIL_ADDRESS" : "DOMAIN",
      verifiedForSendingStatus: false,
      dkimSigningAttributes: {
        ...((inputs["dkimSigningAttributes"] as Record<string, unknown> | undefined) ?? {}),
        currentSigningKeyLength: "RSA_2048_BIT",
        signingAttributesOrigin: "AWS_SES",
        status: "PENDING",
        tokens: [0, 1, 2].map((i) => hex(`${seed}-dkim-${i}`, 32)),
      },
    };
  },
  "aws:sesv2/configurationSet:ConfigurationSet": (c) => {
    const { inputs } = c;
    return {
      id: String(inputs["configurationSetName"]),
      arn: c.arn("ses", `configuration-set/${String(inputs["configurationSetName"])}`),
    };
  },
  "aws:ses/template:Template": (c) => {
    const { physical } = c;
    return { id: physical, arn: c.arn("ses", `template/${physical}`) };
  },
};
