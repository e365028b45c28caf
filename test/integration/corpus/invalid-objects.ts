/**
 * Corpus theme: objects that build but the API server refuses (unknown kinds, removed apiVersions, invalid
 * values, immutable fields), in a folder without kustomization.yaml (a generated kustomization).
 */
import type { KubeClient } from "../../../src/kube/client.ts";
import type { Theme } from "./corpus.ts";
import { dataOf, deployment, expectObject, fluxKustomization, hpa, rbac, service, serviceAccount, settings } from "./fixtures.ts";

export const invalidObjects: Theme = {
  title: "corpus: objects the API server refuses fail naming the object, change nothing, and the next good commit recovers",
  prefix: "c-obj",
  async setup({ ns }) {
    const api = { deploy: deployment("api"), svc: service("api"), rbac: rbac("team"), cm: settings("api", { WORKERS: "4" }) };
    return {
      good: {
        "clusters/c/api.yaml": fluxKustomization("api", ns, "./apps/api", `  targetNamespace: ${ns}\n`),
        "apps/api/serviceaccount.yaml": serviceAccount("api"),
        "apps/api/settings.yaml": api.cm,
        "apps/api/deployment.yaml": api.deploy,
        "apps/api/service.yaml": api.svc,
        "apps/api/rbac.yaml": api.rbac,
        "apps/api/hpa.yaml": hpa("api"),
      },
      async expect(kube: KubeClient, n: string) {
        await expectObject(kube, "v1", "ConfigMap", n, "api-settings", (o) => dataOf(o)["WORKERS"], "4");
        await expectObject(kube, "apps/v1", "Deployment", n, "api", (o) => (o["spec"] as { template: { spec: { containers: { resources: unknown }[] } } }).template.spec.containers[0]?.resources, { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } });
        await expectObject(kube, "rbac.authorization.k8s.io/v1", "RoleBinding", n, "team:readers", (o) => (o["roleRef"] as { name: string }).name, "team:reader");
        await expectObject(kube, "autoscaling/v1", "HorizontalPodAutoscaler", n, "api");
      },
      cases: [
        {
          name: "a misspelt kind (Deploymnet)",
          files: { "apps/api/deployment.yaml": api.deploy.replace("kind: Deployment", "kind: Deploymnet") },
          error: /Deploymnet.*api|api.*Deploymnet/,
        },
        {
          name: "a removed apiVersion (extensions/v1beta1 Deployment)",
          files: { "apps/api/deployment.yaml": api.deploy.replace("apiVersion: apps/v1", "apiVersion: extensions/v1beta1") },
          error: /Deployment.*api.*extensions\/v1beta1|extensions\/v1beta1.*Deployment.*api/,
        },
        {
          name: "a selector that does not match the template's labels",
          files: { "apps/api/deployment.yaml": api.deploy.replace(/(matchLabels:\n\s+app\.kubernetes\.io\/name: )api/, "$1api-server") },
          error: /Deployment\/c-obj-[0-9a-f]+\/api: .*selector/,
        },
        {
          name: "a changed selector (immutable)",
          files: { "apps/api/deployment.yaml": api.deploy.replace(/app\.kubernetes\.io\/name: api/g, "app: api") },
          error: /Deployment\/c-obj-[0-9a-f]+\/api: .*immutable/,
        },
        {
          name: "a named targetPort that is not a valid port name",
          files: { "apps/api/service.yaml": api.svc.replace("targetPort: http", "targetPort: http_port") },
          error: /Service\/c-obj-[0-9a-f]+\/api: .*targetPort/,
        },
        {
          name: "an unquoted number in ConfigMap data",
          files: { "apps/api/settings.yaml": api.cm.replace('WORKERS: "4"', "WORKERS: 4\n  DEBUG: false") },
          error: /ConfigMap\/c-obj-[0-9a-f]+\/api-settings|apps\/api\/settings\.yaml/,
        },
        {
          name: "a quantity that does not parse (2000mm)",
          files: { "apps/api/deployment.yaml": api.deploy.replace("cpu: 2000m", "cpu: 2000mm") },
          error: /Deployment\/c-obj-[0-9a-f]+\/api: .*quantity/,
        },
        {
          name: "an object name with capitals and _",
          files: { "apps/api/settings.yaml": api.cm.replace("name: api-settings", "name: Api_Settings") },
          error: /ConfigMap\/c-obj-[0-9a-f]+\/Api_Settings/,
        },
        {
          name: "a field the schema does not have (spec.replica)",
          files: { "apps/api/deployment.yaml": api.deploy.replace("spec:\n  selector:", "spec:\n  replica: 2\n  selector:") },
          error: /Deployment\/c-obj-[0-9a-f]+\/api: .*replica/,
        },
        {
          name: "a RoleBinding (name with :) whose roleRef changes (immutable)",
          files: { "apps/api/rbac.yaml": api.rbac.replace("  kind: Role\n  name: team:reader", "  kind: Role\n  name: team_reader") },
          error: /RoleBinding\/c-obj-[0-9a-f]+\/team:readers: .*roleRef/,
        },
        {
          name: "Secret data that is not base64",
          files: { "apps/api/credentials.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-credentials\ntype: Opaque\ndata:\n  password: not base64!\n" },
          error: /Secret\/c-obj-[0-9a-f]+\/api-credentials: .*base64/,
        },
        {
          name: "an HPA with minReplicas above maxReplicas",
          files: { "apps/api/hpa.yaml": hpa("api").replace("minReplicas: 1", "minReplicas: 6") },
          error: /HorizontalPodAutoscaler\/c-obj-[0-9a-f]+\/api: .*minReplicas/,
        },
      ],
    };
  },
};
