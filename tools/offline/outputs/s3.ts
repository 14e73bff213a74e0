import { MockAnswer, MockTable } from "./context";

const bucket: MockAnswer = (c) => {
  const { physical, region } = c;
  return {
    id: physical,
    arn: c.arn("s3", physical, { global: true, noAccount: true }),
    bucketDomainName: `${physical}.s3.${c.dnsSuffix}`,
    bucketRegionalDomainName: `${physical}.s3.${region}.${c.dnsSuffix}`,
    hostedZoneId: "Z3AQBSTGFYJSTF",
    region,
  };
};

export const S3_OUTPUTS: MockTable = {
  "aws:s3/bucket:Bucket": bucket,
  "aws:s3/bucketV2:BucketV2": bucket,
};
