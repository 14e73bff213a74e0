import { MockTable, hex, uuid } from "./context";

export const CLOUDFRONT_OUTPUTS: MockTable = {
  "aws:cloudfront/cachePolicy:CachePolicy": (c) => {
    const { seed } = c;
    return { id: uuid(seed), etag: `E${hex(seed + "etag", 13).toUpperCase()}` };
  },
  "aws:cloudfront/distribution:Distribution": (c) => {
    const { seed, accountId } = c;
    const id = `E${hex(seed, 13).toUpperCase()}`;
    return {
      id,
      arn: `arn:${c.partition}:cloudfront::${accountId}:distribution/${id}`,
      domainName: `d${hex(seed, 13)}.cloudfront.net`,
      hostedZoneId: "Z2FDTNDATAQYW2",
      etag: `E${hex(seed + "etag", 13).toUpperCase()}`,
    };
  },
  "aws:cloudfront/function:Function": (c) => {
    const { seed, physical, accountId } = c;
    return {
      id: physical,
      arn: `arn:${c.partition}:cloudfront::${accountId}:function/${physical}`,
      etag: `E${hex(seed + "etag", 13).toUpperCase()}`,
      liveStageEtag: `E${hex(seed + "live", 13).toUpperCase()}`,
      status: "UNASSOCIATED",
    };
  },
  "aws:cloudfront/originAccessControl:OriginAccessControl": (c) => {
    const { seed } = c;
    return { id: `E${hex(seed, 13).toUpperCase()}`, etag: `E${hex(seed + "etag", 13).toUpperCase()}` };
  },
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": (c) => {
    const { seed } = c;
    return { id: uuid(seed), etag: `E${hex(seed + "etag", 13).toUpperCase()}` };
  },
};
