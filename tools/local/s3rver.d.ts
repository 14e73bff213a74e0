/** The part of s3rver 3.x (which ships no types) the test helpers use. */
declare module "s3rver" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  interface S3rverOptions {
    directory?: string;
    silent?: boolean;
    address?: string;
    port?: number;
    configureBuckets?: { name: string }[];
  }

  class S3rver {
    constructor(options?: S3rverOptions);
    configureBuckets(): Promise<void>;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }

  export = S3rver;
}
