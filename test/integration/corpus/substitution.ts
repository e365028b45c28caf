/** Corpus theme: postBuild substitution that cannot be done (unclosed, empty, unsupported, missing sources, bad results). */
import type { KubeClient } from "../../../src/kube/client.ts";
import type { Theme } from "./corpus.ts";
import { dataOf, expectObject, fluxKustomization, hpa } from "./fixtures.ts";

export const substitution: Theme = {
  title: "corpus: substitution that cannot be done fails naming the object, changes nothing, and the next good commit recovers",
  prefix: "c-subst",
  async setup({ kube, ns }) {
    await kube.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cluster-vars", namespace: ns }, data: { cluster_name: "prod-eu-1", max_replicas: "6" } });
    const postBuild = "  postBuild:\n    substitute:\n      region: eu-west-1\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-vars\n";
    const child = fluxKustomization("web", ns, "./apps/web", `  targetNamespace: ${ns}\n${postBuild}`);
    const cm = (line: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-cluster\ndata:\n  CLUSTER: \${cluster_name}\n  REGION: "\${region}"\n${line}`;
    const scaler = hpa("web").replace("maxReplicas: 4", "maxReplicas: ${max_replicas}").replace("kind: Deployment\n    name: web", "kind: Deployment\n    name: web-${cluster_name}");
    return {
      good: {
        "clusters/c/web.yaml": child,
        "apps/web/cluster.yaml": cm(""),
        "apps/web/hpa.yaml": scaler,
      },
      async expect(k: KubeClient, n: string) {
        await expectObject(k, "v1", "ConfigMap", n, "web-cluster", (o) => dataOf(o), { CLUSTER: "prod-eu-1", REGION: "eu-west-1" });
        await expectObject(k, "autoscaling/v1", "HorizontalPodAutoscaler", n, "web", (o) => (o["spec"] as { maxReplicas: number }).maxReplicas, 6);
      },
      cases: [
        { name: "an unclosed ${var", files: { "apps/web/cluster.yaml": cm("  ZONE: ${region-a\n") }, error: /ConfigMap\/c-subst-[0-9a-f]+\/web-cluster: .*missing closing brace .*\(line 5/ },
        { name: "${} without a variable name", files: { "apps/web/cluster.yaml": cm("  ZONE: ${}\n") }, error: /ConfigMap\/c-subst-[0-9a-f]+\/web-cluster: .*"\$\{\}"/ },
        { name: "an operator Flux's substitution does not support (${var:?})", files: { "apps/web/cluster.yaml": cm("  ZONE: ${zone:?zone is required}\n") }, error: /ConfigMap\/c-subst-[0-9a-f]+\/web-cluster: .*unsupported operator ":\?"/ },
        {
          name: "substituteFrom a Secret that does not exist",
          files: { "clusters/c/web.yaml": child + "      - kind: Secret\n        name: cluster-secrets\n" },
          error: /Secret.*cluster-secrets/,
          mayChange: [`Kustomization/${ns}/web`],
        },
        {
          name: "a substituted value the API server refuses (maxReplicas: six)",
          files: { "apps/web/hpa.yaml": scaler.replace("${max_replicas}", "${max_replicas_text:=six}") },
          error: /HorizontalPodAutoscaler\/c-subst-[0-9a-f]+\/web: .*maxReplicas/,
        },
      ],
    };
  },
};
