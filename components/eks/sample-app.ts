import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/*
 * The sample app (requirements 5, 6 and 10) in the cluster: a Deployment scaled by a
 * HorizontalPodAutoscaler, behind an internet-facing ALB that the AWS Load Balancer Controller creates from
 * the Ingress, terminating TLS with an ACM certificate and redirecting HTTP to HTTPS. With a domain, the
 * certificate is issued for k8s.<domain> (DNS-validated in the hosted zone) and the name points at the ALB.
 */

export interface SampleAppArgs {
  readonly image: string;
  /** ACM certificate of the HTTPS listener; without one, `domain` is required and one is issued. */
  readonly certificateArn?: string;
  /** The public domain: the app answers on k8s.<name>, a record in `hostedZoneId` points there. */
  readonly domain?: { readonly name: string; readonly hostedZoneId: string };
  readonly ingressClass: k8s.networking.v1.IngressClass;
  /** What the app's objects need first: the load balancer controller (its webhooks), metrics-server. */
  readonly dependsOn: pulumi.Resource[];
}

/** Scaling of the sample app: a CPU target of 70 %. */
export const SAMPLE_SCALING = { minReplicas: 2, maxReplicas: 6, cpuPercent: 70 };

/**
 * `sample/web`: a Deployment (non-root, read-only root file system, spread over zones), its Service, a
 * HorizontalPodAutoscaler on CPU (metrics from the metrics-server add-on), a PodDisruptionBudget, and an
 * internet-facing ALB Ingress that terminates TLS with the ACM certificate and redirects HTTP to HTTPS.
 * The Deployment sets no replica count: the HPA owns it, and `pulumi up` must not reset it.
 */
export function createSampleApp(
  parent: pulumi.Resource,
  name: string,
  provider: k8s.Provider,
  args: SampleAppArgs,
): pulumi.Output<string> {
  const opts = { parent, provider };
  const host = args.domain ? `k8s.${args.domain.name}` : undefined;
  if (!args.certificateArn && !args.domain)
    throw new Error(`${name}: the sample app needs a certificate or a domain`);
  const certificateArn =
    args.certificateArn ?? issueCertificate(parent, name, host!, args.domain!.hostedZoneId);
  const ns = new k8s.core.v1.Namespace(
    `${name}-sample`,
    { metadata: { name: "sample" } },
    { ...opts, dependsOn: args.dependsOn },
  );
  const namespace = ns.metadata.name;
  const labels = { app: "web" };

  const deployment = new k8s.apps.v1.Deployment(
    `${name}-sample-web`,
    {
      metadata: { name: "web", namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: labels },
              },
            ],
            containers: [
              {
                name: "web",
                image: args.image,
                ports: [{ name: "http", containerPort: 8080 }],
                // Requests are what the HPA's CPU percentage is measured against.
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
                readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 5 },
                livenessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 15 },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
          },
        },
      },
    },
    opts,
  );

  const service = new k8s.core.v1.Service(
    `${name}-sample-web`,
    {
      metadata: { name: "web", namespace, labels },
      spec: { type: "ClusterIP", selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    },
    opts,
  );

  new k8s.autoscaling.v2.HorizontalPodAutoscaler(
    `${name}-sample-web`,
    {
      metadata: { name: "web", namespace },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
        minReplicas: SAMPLE_SCALING.minReplicas,
        maxReplicas: SAMPLE_SCALING.maxReplicas,
        metrics: [
          {
            type: "Resource",
            resource: {
              name: "cpu",
              target: { type: "Utilization", averageUtilization: SAMPLE_SCALING.cpuPercent },
            },
          },
        ],
      },
    },
    opts,
  );

  new k8s.policy.v1.PodDisruptionBudget(
    `${name}-sample-web`,
    { metadata: { name: "web", namespace }, spec: { minAvailable: 1, selector: { matchLabels: labels } } },
    opts,
  );

  const ingress = new k8s.networking.v1.Ingress(
    `${name}-sample-web`,
    {
      metadata: {
        name: "web",
        namespace,
        annotations: {
          "alb.ingress.kubernetes.io/scheme": "internet-facing",
          // Pods are targets directly (no NodePort hop); the ALB sits in the public subnets tagged for it.
          "alb.ingress.kubernetes.io/target-type": "ip",
          "alb.ingress.kubernetes.io/listen-ports": JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]),
          "alb.ingress.kubernetes.io/ssl-redirect": "443",
          "alb.ingress.kubernetes.io/certificate-arn": certificateArn,
          "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
          "alb.ingress.kubernetes.io/healthcheck-path": "/",
          "alb.ingress.kubernetes.io/load-balancer-attributes":
            "routing.http.drop_invalid_header_fields.enabled=true",
        },
      },
      spec: {
        ingressClassName: args.ingressClass.metadata.name,
        ...(host ? { tls: [{ hosts: [host] }] } : {}),
        rules: [
          {
            ...(host ? { host: host } : {}),
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: service.metadata.name, port: { name: "http" } } },
                },
              ],
            },
          },
        ],
      },
    },
    opts,
  );

  // The controller writes the ALB's DNS name into the Ingress's status once the ALB exists.
  const hostname = ingress.status.apply((st) => st?.loadBalancer?.ingress?.[0]?.hostname ?? "");
  if (args.domain) {
    new aws.route53.Record(
      `${name}-sample-dns`,
      { zoneId: args.domain.hostedZoneId, name: host!, type: "CNAME", ttl: 300, records: [hostname] },
      { parent },
    );
  }
  return hostname;
}

/** An ACM certificate for `host`, DNS-validated through a record in the hosted zone; its ARN once issued. */
function issueCertificate(
  parent: pulumi.Resource,
  name: string,
  host: string,
  zoneId: string,
): pulumi.Output<string> {
  const cert = new aws.acm.Certificate(
    `${name}-sample-cert`,
    { domainName: host, validationMethod: "DNS" },
    { parent },
  );
  const option = cert.domainValidationOptions.apply((o) => o[0]);
  const record = new aws.route53.Record(
    `${name}-sample-cert-validation`,
    {
      zoneId,
      name: option.resourceRecordName,
      type: option.resourceRecordType,
      records: [option.resourceRecordValue],
      ttl: 300,
      allowOverwrite: true,
    },
    { parent },
  );
  return new aws.acm.CertificateValidation(
    `${name}-sample-cert-issued`,
    { certificateArn: cert.arn, validationRecordFqdns: [record.fqdn] },
    { parent },
  ).certificateArn;
}
