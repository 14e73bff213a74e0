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

  /** s3rver's own S3 event notification (its keys are not URL-encoded, unlike S3's). */
  interface S3rverEvent {
    readonly Records: readonly {
      readonly eventName: string;
      readonly s3: {
        bucket: { name: string };
        object: { key: string; size?: number; eTag?: string };
      };
    }[];
  }

  class S3rver {
    constructor(options?: S3rverOptions);
    configureBuckets(): Promise<void>;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    /** Koa's EventEmitter: "event" carries an S3 event notification for each object written or removed. */
    on(event: "event", listener: (event: S3rverEvent) => void): this;
  }

  export = S3rver;
}
