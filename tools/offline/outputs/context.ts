import { createHash } from "crypto";

/*
 * What a table of mock outputs (one per AWS service, beside this file) is given: the resource and the account
 * around it, and the id and ARN helpers every service's answers share.
 */

export interface MockContext {
  /** The resource's type token and logical name. */
  readonly type: string;
  readonly name: string;
  /** Its inputs after the provider's Check (with the generated physical name). */
  readonly inputs: Record<string, unknown>;
  /** type + name: what every derived id hashes, so two runs agree. */
  readonly seed: string;
  /** The physical name (the auto-named property, `name`, or the logical name). */
  readonly physical: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly dnsSuffix: string;
  /** arn:<partition>:<service>:<region>:<account>:<resource>, without region or account where asked. */
  arn(service: string, resource: string, opts?: { global?: boolean; noAccount?: boolean }): string;
  /** An EC2 id with this prefix, its ARN of this kind and the owner account. */
  ec2(prefix: string, kind: string): { id: string; arn: string; ownerId: string };
}

/** The outputs AWS would return for one resource type. */
export type MockAnswer = (c: MockContext) => Record<string, unknown>;

/** Answers by type token. */
export type MockTable = Readonly<Record<string, MockAnswer>>;

export function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

export function digits(seed: string, length: number): string {
  return BigInt("0x" + hex(seed, 30))
    .toString()
    .padStart(length, "7")
    .slice(0, length);
}

export function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
