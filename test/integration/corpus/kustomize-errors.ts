/**
 * Corpus theme: kustomization.yaml mistakes kustomize refuses (missing files, misspelt fields, patches and
 * replacements that select nothing, duplicate ids) and file references leaving the repository.
 */
import type { KubeClient } from "../../../src/kube/client.ts";
import type { Theme } from "./corpus.ts";
import { dataOf, deployment, expectObject, fluxKustomization, kustomizationFile, rbac, service, serviceAccount } from "./fixtures.ts";

const resources = `resources:
  - serviceaccount.yaml
  - deployment.yaml
  - service.yaml
  - rbac.yaml
`;
const generator = `configMapGenerator:
  - name: web-settings
    envs:
      - config/web.env
    options:
      disableNameSuffixHash: true
`;
const images = `images:
  - name: ghcr.io/example/web
    newTag: 1.4.3
`;
const web = (o: { resources?: string; generator?: string; extra?: string } = {}): string =>
  kustomizationFile(`namespace: NS
${o.resources ?? resources}${o.generator ?? generator}${images}${o.extra ?? ""}`);

export const kustomizeErrors: Theme = {
  title: "corpus: kustomization.yaml mistakes fail naming the file, change nothing, and the next good commit recovers",
  prefix: "c-kust",
  async setup({ ns }) {
    const k = (o: Parameters<typeof web>[0] = {}): string => web(o).replace("namespace: NS", `namespace: ${ns}`);
    return {
      good: {
        "clusters/c/web.yaml": fluxKustomization("web", ns, "./apps/web"),
        "apps/web/kustomization.yaml": k(),
        "apps/web/serviceaccount.yaml": serviceAccount("web"),
        "apps/web/deployment.yaml": deployment("web"),
        "apps/web/service.yaml": service("web"),
        "apps/web/rbac.yaml": rbac("web"),
        "apps/web/config/web.env": "LOG_LEVEL=info\nLISTEN=:8080\n",
      },
      async expect(kube: KubeClient, n: string) {
        await expectObject(kube, "v1", "ConfigMap", n, "web-settings", (o) => dataOf(o), { LOG_LEVEL: "info", LISTEN: ":8080" });
        await expectObject(kube, "apps/v1", "Deployment", n, "web", (o) => (o["spec"] as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]?.image, "ghcr.io/example/web:1.4.3");
        await expectObject(kube, "rbac.authorization.k8s.io/v1", "Role", n, "web_reader");
      },
      cases: [
        {
          name: "resources names a file that does not exist",
          files: { "apps/web/kustomization.yaml": k({ resources: resources + "  - ingress.yaml\n" }) },
          error: /apps\/web\/kustomization\.yaml: resources "ingress\.yaml" not found/,
        },
        {
          name: "resources names a folder without a kustomization.yaml",
          files: { "apps/web/kustomization.yaml": k({ resources: resources + "  - ../shared\n" }), "apps/shared/limits.yaml": "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: limits\nspec:\n  limits:\n    - type: Container\n      default:\n        cpu: 500m\n" },
          error: /unable to find one of 'kustomization\.yaml'.* in directory 'apps\/shared'/,
        },
        {
          name: "a misspelt field (resource: for resources)",
          files: { "apps/web/kustomization.yaml": k({ resources: resources.replace("resources:", "resource:") }) },
          error: /BuildFailed: apps\/web\/kustomization\.yaml: .*unknown field "resource"/,
        },
        {
          name: "resources given as one string instead of a list",
          files: { "apps/web/kustomization.yaml": k({ resources: "resources: deployment.yaml\n" }) },
          error: /BuildFailed: apps\/web\/kustomization\.yaml: .*resources/,
        },
        {
          name: "a strategic-merge patch of a Deployment that is not there",
          files: {
            "apps/web/kustomization.yaml": k({ extra: "patches:\n  - path: replicas.yaml\n" }),
            "apps/web/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n",
          },
          error: /no matches for Id Deployment\.v1\.apps\/api/,
        },
        {
          name: "a JSON 6902 patch removing a path the Deployment does not have",
          files: { "apps/web/kustomization.yaml": k({ extra: "patches:\n  - target:\n      kind: Deployment\n      name: web\n    patch: |-\n      - op: remove\n        path: /spec/template/spec/nodeSelector\n" }) },
          // the patch is inline: the kustomization holding it is the file to name
          error: /BuildFailed: apps\/web\/kustomization\.yaml: .*\/spec\/template\/spec\/nodeSelector/,
        },
        {
          name: "the same object listed twice",
          files: { "apps/web/kustomization.yaml": k({ resources: resources + "  - deployment-copy.yaml\n" }), "apps/web/deployment-copy.yaml": deployment("web") },
          error: /already registered id: Deployment\.v1\.apps\/web/,
        },
        {
          name: "a configMapGenerator env file that does not exist",
          files: { "apps/web/config/web.env": null },
          error: /apps\/web\/kustomization\.yaml: configMapGenerator\[0\]\.envs "config\/web\.env" not found/,
        },
        {
          name: "an env file line without =",
          // kustomize reads the line as a key without value; the API server refuses the key
          files: { "apps/web/config/web.env": "LOG_LEVEL=info\nLISTEN :8080\n" },
          error: /ConfigMap\/c-kust-[0-9a-f]+\/web-settings: .*LISTEN :8080/,
        },
        {
          name: "a replacement whose source selects nothing",
          files: { "apps/web/kustomization.yaml": k({ extra: "replacements:\n  - source:\n      kind: ConfigMap\n      name: cluster-info\n      fieldPath: data.domain\n    targets:\n      - select:\n          kind: Deployment\n        fieldPaths:\n          - spec.template.metadata.annotations.domain\n" }) },
          error: /nothing selected by ConfigMap.*\/cluster-info/,
        },
        {
          name: "a component that is a Kustomization, not a Component",
          files: { "apps/web/kustomization.yaml": k({ extra: "components:\n  - ../monitoring\n" }), "apps/monitoring/kustomization.yaml": kustomizationFile("resources: []\n") },
          error: /expected kind 'Component' for path 'apps\/monitoring'/,
        },
        {
          name: "an absolute resources path (/etc/hostname) with a decoy of that name inside the folder",
          files: { "apps/web/kustomization.yaml": k({ resources: resources + "  - /etc/hostname\n" }), "apps/web/etc/hostname": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: decoy\n" },
          error: /apps\/web\/kustomization\.yaml: resources "\/etc\/hostname" is an absolute path/,
        },
        {
          name: "an absolute configMapGenerator file (/etc/passwd) with a decoy inside the folder",
          files: { "apps/web/kustomization.yaml": k({ generator: generator + "  - name: host\n    files:\n      - /etc/passwd\n" }), "apps/web/etc/passwd": "nobody:x:65534:65534::/:/bin/false\n" },
          error: /apps\/web\/kustomization\.yaml: configMapGenerator\[1\]\.files "\/etc\/passwd" is an absolute path/,
        },
        {
          name: "a generator env file reached through ../ outside the repository",
          files: { "apps/web/kustomization.yaml": k({ generator: generator.replace("config/web.env", "../../../../../../../../etc/os-release") }) },
          error: /apps\/web\/kustomization\.yaml: configMapGenerator\[0\]\.envs "[./]+etc\/os-release" leaves the repository/,
        },
      ],
    };
  },
};
