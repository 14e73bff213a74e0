/**
 * STS AssumeRole on loopback (the Query protocol: a form-encoded POST, an XML answer), for clients that assume a
 * role before they sign something. Each role answers with the credentials the test gives it (say, the local S3's),
 * and the parameters of every call are kept for assertions; an unknown role is refused as STS refuses one.
 */
import { LoopbackServer, RecordedRequest, Reply } from "./loopback";

export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";

export class FakeSts extends LoopbackServer {
  readonly roles = new Map<string, RoleCredentials>();
  /** The parameters of each AssumeRole call (RoleArn, RoleSessionName, DurationSeconds, Policy). */
  readonly assumed: Record<string, string>[] = [];

  protected handle(request: RecordedRequest): Reply {
    const params = Object.fromEntries(new URLSearchParams(request.body));
    if (params.Action !== "AssumeRole")
      return error(400, "InvalidAction", `Could not find operation ${params.Action}`);
    this.assumed.push(params);
    const credentials = this.roles.get(params.RoleArn);
    if (!credentials)
      return error(
        403,
        "AccessDenied",
        `User is not authorized to perform: sts:AssumeRole on resource: ${params.RoleArn}`,
      );
    const expiration = new Date(Date.now() + Number(params.DurationSeconds ?? 3600) * 1000).toISOString();
    const session = params.RoleSessionName;
    return {
      status: 200,
      headers: { "content-type": "text/xml" },
      body:
        `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><Credentials>` +
        `<AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${credentials.sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>AROA0000000000EXAMPLE:${session}</AssumedRoleId>` +
        `<Arn>${params.RoleArn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")}/${session}</Arn></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    };
  }
}

function error(status: number, code: string, message: string): Reply {
  return {
    status,
    headers: { "content-type": "text/xml" },
    body:
      `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
      `<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`,
  };
}
