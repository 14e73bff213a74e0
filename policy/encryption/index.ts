import * as atRest from "./at-rest";
import * as inTransit from "./in-transit";

/*
 * The encryption domain of the pack: at rest (at-rest.ts) and in transit (in-transit.ts), in the pack's order.
 */
export * from "./at-rest";
export * from "./in-transit";

export const encryptionPolicies = [
  atRest.s3BucketEncryption,
  atRest.sqsQueueEncryption,
  atRest.snsTopicEncryption,
  atRest.dynamodbTableCmk,
  atRest.rdsStorageEncryption,
  atRest.elasticacheEncryption,
  atRest.ebsEncryption,
  atRest.eksSecretsEncryption,
  atRest.logGroupEncryption,
  atRest.secretCmk,
  atRest.kmsKeyRotation,
  inTransit.s3BucketTlsOnly,
  inTransit.sqsQueueTlsOnly,
  inTransit.snsTopicTlsOnly,
  inTransit.lbListenerTls,
  inTransit.cloudfrontViewerTls,
  inTransit.cloudfrontOriginTls,
  inTransit.rdsForceSsl,
];
