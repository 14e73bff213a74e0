import { MockTable, hex, uuid } from "./context";

export const ACM_OUTPUTS: MockTable = {
  "aws:acm/certificate:Certificate": (c) => {
    const { inputs, seed } = c;
    return {
      id: c.arn("acm", `certificate/${uuid(seed)}`),
      arn: c.arn("acm", `certificate/${uuid(seed)}`),
      domainValidationOptions: [
        {
          domainName: inputs["domainName"],
          resourceRecordName: `_${hex(seed, 32)}.${String(inputs["domainName"])}.`,
          resourceRecordType: "CNAME",
          resourceRecordValue: `_${hex(seed + "v", 32)}.acm-validations.aws.`,
        },
      ],
    };
  },
  "aws:acm/certificateValidation:CertificateValidation": (c) => {
    const { inputs } = c;
    return { id: String(inputs["certificateArn"]) };
  },
};
