import * as enc from "../../policy/encryption";
import { dependsOn, expectFindings, res, UNKNOWN_STRING } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1111";
const T = {
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  sseV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  table: "aws:dynamodb/table:Table",
  db: "aws:rds/instance:Instance",
  cluster: "aws:rds/cluster:Cluster",
  paramGroup: "aws:rds/parameterGroup:ParameterGroup",
  clusterParamGroup: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
  rg: "aws:elasticache/replicationGroup:ReplicationGroup",
  cache: "aws:elasticache/cluster:Cluster",
  volume: "aws:ebs/volume:Volume",
  lt: "aws:ec2/launchTemplate:LaunchTemplate",
  instance: "aws:ec2/instance:Instance",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  ebsDefault: "aws:ebs/encryptionByDefault:EncryptionByDefault",
  eks: "aws:eks/cluster:Cluster",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  secret: "aws:secretsmanager/secret:Secret",
  key: "aws:kms/key:Key",
  listener: "aws:lb/listener:Listener",
  albListener: "aws:alb/listener:Listener",
  cf: "aws:cloudfront/distribution:Distribution",
};

const kmsRules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } }];
const bucket = (name: string, extra: Record<string, unknown> = {}) =>
  res(T.bucket, name, { bucket: `${name}-abc1234`, arn: `arn:aws:s3:::${name}-abc1234`, ...extra });

describe("policy: s3-bucket-encryption", () => {
  it("passes a bucket with a standalone KMS configuration (v7 and V2 tokens alike)", async () => {
    await expectFindings(
      enc.s3BucketEncryption,
      [
        bucket("raw"),
        res(T.sse, "raw-sse", { bucket: "raw-abc1234", rules: kmsRules }),
        res(T.bucketV2, "old", { bucket: "old-abc1234" }),
        res(T.sseV2, "old-sse", { bucket: "old-abc1234", rules: kmsRules }),
      ],
      [],
    );
  });

  it("relates the configuration through the engine's property dependencies when the name is unknown", async () => {
    const b = bucket("raw");
    await expectFindings(
      enc.s3BucketEncryption,
      [b, dependsOn(res(T.sse, "raw-sse", { bucket: UNKNOWN_STRING, rules: kmsRules }), "bucket", b)],
      [],
    );
  });

  it("flags a bucket without encryption, one with SSE-S3, and a KMS bucket receiving ELB logs", async () => {
    await expectFindings(
      enc.s3BucketEncryption,
      [
        bucket("bare"),
        bucket("sses3", {
          serverSideEncryptionConfiguration: {
            rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
          },
        }),
        bucket("logs"),
        res(T.sse, "logs-sse", { bucket: "logs-abc1234", rules: kmsRules }),
        res(T.lb, "alb", { accessLogs: { bucket: "logs-abc1234", enabled: true } }),
      ],
      [
        "S3 bucket 'bare' declares no default encryption (add a BucketServerSideEncryptionConfiguration).",
        "S3 bucket 'sses3' uses AES256; use aws:kms with a customer managed key.",
        "S3 bucket 'logs' receives load balancer logs but uses aws:kms; ELB log delivery supports only AES256 (SSE-S3).",
      ],
    );
  });

  it("accepts SSE-S3 when requireKms is off, and on ELB log buckets", async () => {
    const aes = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
    await expectFindings(
      enc.s3BucketEncryption,
      [bucket("a"), res(T.sse, "a-sse", { bucket: "a-abc1234", rules: aes })],
      [],
      { "s3-bucket-encryption": { requireKms: false } },
    );
    await expectFindings(
      enc.s3BucketEncryption,
      [
        bucket("logs"),
        res(T.sse, "l", { bucket: "logs-abc1234", rules: aes }),
        res(T.lb, "alb", { accessLogs: { bucket: "logs-abc1234" } }),
      ],
      [],
    );
  });

  it("on a first preview (log bucket name unknown) knows the ELB log bucket by the load balancer's dependencies", async () => {
    const aes = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
    const logs = bucket("logs");
    const other = bucket("other");
    const resources = (lbDependsOn: typeof logs) => [
      logs,
      res(T.sse, "logs-sse", { bucket: "logs-abc1234", rules: aes }),
      other,
      res(T.sse, "other-sse", { bucket: "other-abc1234", rules: kmsRules }),
      dependsOn(
        res(T.lb, "alb", { accessLogs: { bucket: UNKNOWN_STRING, enabled: true } }),
        "accessLogs",
        lbDependsOn,
      ),
    ];
    await expectFindings(enc.s3BucketEncryption, resources(logs), []);
    await expectFindings(enc.s3BucketEncryption, resources(other), [
      "S3 bucket 'logs' uses AES256; use aws:kms with a customer managed key.",
      "S3 bucket 'other' receives load balancer logs but uses aws:kms; ELB log delivery supports only AES256 (SSE-S3).",
    ]);
  });
});

describe("policy: sqs-queue-encryption", () => {
  it("passes SQS-managed SSE and KMS", async () => {
    await expectFindings(
      enc.sqsQueueEncryption,
      [res(T.queue, "a", {}), res(T.queue, "b", { kmsMasterKeyId: UNKNOWN_STRING })],
      [],
    );
  });
  it("flags disabled SSE, and missing KMS under requireKms", async () => {
    await expectFindings(
      enc.sqsQueueEncryption,
      [res(T.queue, "a", { sqsManagedSseEnabled: false })],
      [
        "SQS queue 'a' disables SQS-managed encryption and sets no kmsMasterKeyId: messages are stored unencrypted.",
      ],
    );
    await expectFindings(
      enc.sqsQueueEncryption,
      [res(T.queue, "a", {})],
      ["SQS queue 'a' has no kmsMasterKeyId; this pack requires a KMS key for queues."],
      { "sqs-queue-encryption": { requireKms: true } },
    );
  });
});

describe("policy: sns-topic-encryption", () => {
  it("passes a topic with a KMS key (unknown during preview counts)", async () => {
    await expectFindings(enc.snsTopicEncryption, [res(T.topic, "a", { kmsMasterKeyId: UNKNOWN_STRING })], []);
  });
  it("passes a topic with a key and flags one without", async () => {
    await expectFindings(
      enc.snsTopicEncryption,
      [res(T.topic, "a", { kmsMasterKeyId: KEY }), res(T.topic, "b", {})],
      ["SNS topic 'b' has no kmsMasterKeyId: messages are stored unencrypted."],
    );
  });
});

describe("policy: dynamodb-table-cmk", () => {
  it("passes a table with a customer managed key", async () => {
    await expectFindings(
      enc.dynamodbTableCmk,
      [res(T.table, "a", { serverSideEncryption: { enabled: true, kmsKeyArn: KEY } })],
      [],
    );
  });
  it("passes a CMK table and flags the AWS owned key", async () => {
    await expectFindings(
      enc.dynamodbTableCmk,
      [res(T.table, "a", { serverSideEncryption: { enabled: true, kmsKeyArn: KEY } }), res(T.table, "b", {})],
      [
        "DynamoDB table 'b' uses the AWS owned key; set serverSideEncryption.enabled with a customer managed key.",
      ],
    );
  });
});

describe("policy: rds-storage-encryption", () => {
  it("passes encrypted instances, read replicas and encrypted clusters", async () => {
    await expectFindings(
      enc.rdsStorageEncryption,
      [
        res(T.db, "ok", { storageEncrypted: true }),
        res(T.db, "replica", { replicateSourceDb: "ok" }),
        res(T.cluster, "aurora", { engine: "aurora-postgresql", storageEncrypted: true }),
      ],
      [],
    );
  });
  it("passes encrypted storage and read replicas, flags the rest", async () => {
    await expectFindings(
      enc.rdsStorageEncryption,
      [
        res(T.db, "ok", { storageEncrypted: true }),
        res(T.db, "replica", { replicateSourceDb: "ok" }),
        res(T.db, "plain", {}),
        res(T.cluster, "aurora", { engine: "aurora-postgresql", storageEncrypted: false }),
      ],
      [
        "RDS instance 'plain' does not set storageEncrypted: true.",
        "RDS cluster 'aurora' does not set storageEncrypted: true.",
      ],
    );
  });
});

describe("policy: elasticache-encryption", () => {
  it("passes an encrypted replication group with AUTH", async () => {
    await expectFindings(
      enc.elasticacheEncryption,
      [
        res(T.rg, "r", {
          description: "d",
          atRestEncryptionEnabled: true,
          transitEncryptionEnabled: true,
          authToken: "x",
        }),
      ],
      [],
    );
  });
  it("names what is missing; flags Redis on a standalone cluster", async () => {
    await expectFindings(
      enc.elasticacheEncryption,
      [
        res(T.rg, "r", {
          description: "d",
          transitEncryptionEnabled: true,
          transitEncryptionMode: "preferred",
        }),
        res(T.cache, "c", { engine: "redis" }),
        res(T.cache, "m", { engine: "memcached" }),
      ],
      [
        "ElastiCache replication group 'r' lacks atRestEncryptionEnabled: true, transitEncryptionMode: required and an authToken or userGroupIds.",
        "ElastiCache cluster 'c' runs redis as a standalone cluster, which cannot encrypt at rest; use a ReplicationGroup.",
        "ElastiCache cluster 'm' (memcached) does not set transitEncryptionEnabled: true.",
      ],
    );
  });
});

describe("policy: ebs-encryption", () => {
  const lt = (name: string, encrypted: string) =>
    res(T.lt, name, {
      name: `${name}-1`,
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted } }],
    });
  it("passes encrypted volumes, templates and node groups on an encrypted template", async () => {
    const template = lt("nodes", "true");
    await expectFindings(
      enc.ebsEncryption,
      [
        res(T.volume, "v", { availabilityZone: "us-east-1a", encrypted: true }),
        template,
        res(T.instance, "i", { rootBlockDevice: { encrypted: true } }),
        dependsOn(
          res(T.nodeGroup, "ng", { launchTemplate: { id: UNKNOWN_STRING, version: "1" } }),
          "launchTemplate",
          template,
        ),
      ],
      [],
    );
  });
  it("flags unencrypted volumes, templates without mappings and node groups without a template", async () => {
    await expectFindings(
      enc.ebsEncryption,
      [
        res(T.volume, "v", { availabilityZone: "us-east-1a" }),
        lt("plain", "false"),
        res(T.lt, "bare", {}),
        res(T.instance, "i", {}),
        res(T.nodeGroup, "ng", { clusterName: "c" }),
      ],
      [
        "EBS volume 'v' is not encrypted.",
        "launch template 'plain' leaves /dev/xvda unencrypted (ebs.encrypted must be \"true\").",
        "launch template 'bare' maps no block devices, so instances get the AMI's unencrypted root volume.",
        "EC2 instance 'i' leaves the root volume unencrypted.",
        "EKS node group 'ng' uses no launch template, so nodes get the AMI's unencrypted root volume.",
      ],
    );
  });
  it("accepts everything when the stack enables EBS encryption by default", async () => {
    await expectFindings(
      enc.ebsEncryption,
      [res(T.ebsDefault, "d", { enabled: true }), res(T.volume, "v", {})],
      [],
    );
  });
});

describe("policy: eks-secrets-encryption", () => {
  it("passes a cluster that encrypts secrets with a key", async () => {
    await expectFindings(
      enc.eksSecretsEncryption,
      [res(T.eks, "a", { encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY } } })],
      [],
    );
  });
  it("passes KMS-encrypted secrets and flags a cluster without", async () => {
    await expectFindings(
      enc.eksSecretsEncryption,
      [
        res(T.eks, "a", { encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY } } }),
        res(T.eks, "b", {}),
      ],
      ["EKS cluster 'b' does not encrypt secrets with a KMS key (encryptionConfig)."],
    );
  });
});

describe("policy: log-group-encryption and secret-cmk (advisory)", () => {
  it("pass a log group and a secret with a key", async () => {
    await expectFindings(enc.logGroupEncryption, [res(T.logGroup, "a", { kmsKeyId: KEY })], []);
    await expectFindings(enc.secretCmk, [res(T.secret, "a", { kmsKeyId: KEY })], []);
  });
  it("flag a missing key", async () => {
    await expectFindings(
      enc.logGroupEncryption,
      [res(T.logGroup, "a", { kmsKeyId: KEY }), res(T.logGroup, "b", {})],
      ["log group 'b' has no kmsKeyId."],
    );
    await expectFindings(
      enc.secretCmk,
      [res(T.secret, "a", { kmsKeyId: KEY }), res(T.secret, "b", {})],
      ["secret 'b' uses the AWS managed key (no kmsKeyId)."],
    );
  });
});

describe("policy: kms-key-rotation", () => {
  it("passes a rotating symmetric key and an asymmetric signing key", async () => {
    await expectFindings(
      enc.kmsKeyRotation,
      [
        res(T.key, "ok", { enableKeyRotation: true }),
        res(T.key, "sign", { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" }),
      ],
      [],
    );
  });
  it("passes rotating symmetric keys and asymmetric keys; flags the rest", async () => {
    await expectFindings(
      enc.kmsKeyRotation,
      [
        res(T.key, "ok", { enableKeyRotation: true }),
        res(T.key, "sign", { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" }),
        res(T.key, "still", {}),
        res(T.key, "bypass", { enableKeyRotation: true, bypassPolicyLockoutSafetyCheck: true }),
      ],
      [
        "KMS key 'still' does not set enableKeyRotation: true.",
        "KMS key 'bypass' bypasses the key policy lockout safety check.",
      ],
    );
  });
});

const denyHttp = (action: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Deny",
        Principal: "*",
        Action: action,
        Resource: "*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });

describe("policy: s3-bucket-tls-only, sqs-queue-tls-only, sns-topic-tls-only", () => {
  it("pass when a standalone or inline policy denies insecure transport", async () => {
    await expectFindings(
      enc.s3BucketTlsOnly,
      [bucket("b"), res(T.bucketPolicy, "bp", { bucket: "b-abc1234", policy: denyHttp("s3:*") })],
      [],
    );
    const q = res(T.queue, "q", {
      url: "https://sqs.us-east-1.amazonaws.com/123456789012/q-1",
      arn: "arn:aws:sqs:us-east-1:123456789012:q-1",
    });
    await expectFindings(
      enc.sqsQueueTlsOnly,
      [
        q,
        res(T.queuePolicy, "qp", {
          queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q-1",
          policy: denyHttp("sqs:*"),
        }),
      ],
      [],
    );
    await expectFindings(enc.snsTopicTlsOnly, [res(T.topic, "t", { policy: denyHttp("sns:Publish") })], []);
  });
  it("flag a missing policy and a policy without the TLS deny", async () => {
    await expectFindings(
      enc.s3BucketTlsOnly,
      [bucket("b")],
      ["S3 bucket 'b' has no S3 bucket policy, so nothing refuses plain-HTTP requests."],
    );
    await expectFindings(
      enc.sqsQueueTlsOnly,
      [res(T.queue, "q", { policy: denyHttp("sqs:ReceiveMessage") })],
      ["SQS queue 'q''s policy has no Deny for sqs:SendMessage when aws:SecureTransport is false."],
    );
    const t = res(T.topic, "t", { arn: "arn:aws:sns:us-east-1:123456789012:t" });
    await expectFindings(
      enc.snsTopicTlsOnly,
      [
        t,
        res(T.topicPolicy, "tp", {
          arn: "arn:aws:sns:us-east-1:123456789012:t",
          policy: denyHttp("sns:Subscribe"),
        }),
      ],
      ["SNS topic 't''s policy has no Deny for sns:Publish when aws:SecureTransport is false."],
    );
  });
});

describe("policy: lb-listener-tls", () => {
  it("passes modern policies and HTTP listeners (another policy's concern)", async () => {
    await expectFindings(
      enc.lbListenerTls,
      [
        res(T.listener, "a", { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }),
        res(T.listener, "h", { protocol: "HTTP" }),
      ],
      [],
    );
  });
  it("flags old and omitted policies on aws.lb and aws.alb listeners", async () => {
    await expectFindings(
      enc.lbListenerTls,
      [
        res(T.listener, "a", { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-2016-08" }),
        res(T.albListener, "b", { protocol: "TLS" }),
      ],
      [
        "listener 'a' uses ELBSecurityPolicy-2016-08, which allows TLS versions older than 1.2.",
        "listener 'b' (TLS) sets no sslPolicy; AWS's default may allow TLS 1.0.",
      ],
    );
  });
});

describe("policy: cloudfront-viewer-tls and cloudfront-origin-tls", () => {
  const dist = (extra: Record<string, unknown>) => ({
    enabled: true,
    defaultCacheBehavior: { viewerProtocolPolicy: "redirect-to-https" },
    viewerCertificate: {
      acmCertificateArn: "arn:aws:acm:us-east-1:1:certificate/x",
      minimumProtocolVersion: "TLSv1.2_2021",
      sslSupportMethod: "sni-only",
    },
    origins: [
      {
        originId: "alb",
        domainName: "alb.example.com",
        customOriginConfig: {
          originProtocolPolicy: "https-only",
          originSslProtocols: ["TLSv1.2"],
          httpPort: 80,
          httpsPort: 443,
        },
      },
    ],
    ...extra,
  });
  it("pass a distribution with HTTPS viewers and origins", async () => {
    await expectFindings(enc.cloudfrontViewerTls, [res(T.cf, "cdn", dist({}))], []);
    await expectFindings(enc.cloudfrontOriginTls, [res(T.cf, "cdn", dist({}))], []);
    await expectFindings(
      enc.cloudfrontViewerTls,
      [res(T.cf, "cdn", dist({ viewerCertificate: { cloudfrontDefaultCertificate: true } }))],
      [],
    );
  });
  it("flag HTTP viewers, old TLS, the default certificate when disallowed, and HTTP origins", async () => {
    const bad = dist({
      orderedCacheBehaviors: [{ pathPattern: "/api/*", viewerProtocolPolicy: "allow-all" }],
      viewerCertificate: { acmCertificateArn: "x", minimumProtocolVersion: "TLSv1", sslSupportMethod: "vip" },
      origins: [
        {
          originId: "alb",
          domainName: "d",
          customOriginConfig: {
            originProtocolPolicy: "http-only",
            originSslProtocols: ["TLSv1", "TLSv1.2"],
            httpPort: 80,
            httpsPort: 443,
          },
        },
      ],
    });
    await expectFindings(
      enc.cloudfrontViewerTls,
      [res(T.cf, "cdn", bad)],
      [
        "CloudFront distribution 'cdn' allows plain HTTP on the /api/* cache behavior(s).",
        "CloudFront distribution 'cdn' sets minimumProtocolVersion TLSv1; use TLSv1.2_2021 or later.",
        "CloudFront distribution 'cdn' uses the dedicated-IP SSL method (vip, $600/month); use sni-only.",
      ],
    );
    await expectFindings(
      enc.cloudfrontViewerTls,
      [res(T.cf, "cdn", dist({ viewerCertificate: { cloudfrontDefaultCertificate: true } }))],
      [
        "CloudFront distribution 'cdn' uses the default CloudFront certificate, which accepts TLS 1.0 viewers.",
      ],
      { "cloudfront-viewer-tls": { allowDefaultCertificate: false } },
    );
    await expectFindings(
      enc.cloudfrontOriginTls,
      [res(T.cf, "cdn", bad)],
      [
        "CloudFront distribution 'cdn' reaches origin 'alb' with originProtocolPolicy http-only.",
        "CloudFront distribution 'cdn' allows TLSv1 to origin 'alb'.",
      ],
    );
  });
});

describe("policy: rds-force-ssl", () => {
  it("passes PostgreSQL 15+ on defaults and groups that force SSL", async () => {
    await expectFindings(
      enc.rdsForceSsl,
      [
        res(T.db, "pg16", { engine: "postgres", engineVersion: "16.4" }),
        res(T.db, "my", { engine: "mysql", parameterGroupName: "my-params" }),
        res(T.paramGroup, "my-params", {
          name: "my-params",
          family: "mysql8.0",
          parameters: [{ name: "require_secure_transport", value: "1" }],
        }),
        res(T.cluster, "aurora", { engine: "aurora-postgresql", dbClusterParameterGroupName: "ap" }),
        res(T.clusterParamGroup, "ap", {
          name: "ap",
          family: "aurora-postgresql16",
          parameters: [{ name: "rds.force_ssl", value: "1" }],
        }),
      ],
      [],
    );
  });
  it("flags PostgreSQL 14 on defaults, Aurora without a group, and force_ssl = 0", async () => {
    await expectFindings(
      enc.rdsForceSsl,
      [
        res(T.db, "pg14", { engine: "postgres", engineVersion: "14.12" }),
        res(T.db, "off", { engine: "postgres", engineVersion: "16.4", parameterGroupName: "off" }),
        res(T.paramGroup, "off", {
          name: "off",
          family: "postgres16",
          parameters: [{ name: "rds.force_ssl", value: "0" }],
        }),
        res(T.cluster, "aurora", { engine: "aurora-postgresql" }),
      ],
      [
        "RDS instance 'pg14' (postgres) uses no parameter group that sets rds.force_ssl = 1.",
        "RDS instance 'off' (postgres) sets rds.force_ssl = 0.",
        "RDS cluster 'aurora' (aurora-postgresql) uses no parameter group that sets rds.force_ssl = 1.",
      ],
    );
  });
});
