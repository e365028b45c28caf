/** Corpus theme: YAML that does not parse, in a kustomize folder (apps/web) and in its kustomization.yaml. */
import type { KubeClient } from "../../../src/kube/client.ts";
import type { Theme } from "./corpus.ts";
import { dataOf, deployment, expectObject, fluxKustomization, kustomizationFile, rbac, service, serviceAccount, settings } from "./fixtures.ts";

const webKustomization = kustomizationFile(`resources:
  - serviceaccount.yaml
  - settings.yaml
  - deployment.yaml
  - service.yaml
  - rbac.yaml
`);

const aliasBomb = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
data:
  a: &a "lol"
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
`;

export const yamlSyntax: Theme = {
  title: "corpus: YAML that does not parse fails naming the file, changes nothing, and the next good commit recovers",
  prefix: "c-yaml",
  async setup({ ns }) {
    return {
      good: {
        "clusters/c/web.yaml": fluxKustomization("web", ns, "./apps/web", `  targetNamespace: ${ns}\n`),
        "apps/web/kustomization.yaml": webKustomization,
        "apps/web/serviceaccount.yaml": serviceAccount("web"),
        "apps/web/settings.yaml": settings("web", { LOG_LEVEL: "info", LISTEN: ":8080" }),
        "apps/web/deployment.yaml": deployment("web"),
        "apps/web/service.yaml": service("web"),
        "apps/web/rbac.yaml": rbac("web"),
      },
      async expect(kube: KubeClient, n: string) {
        await expectObject(kube, "v1", "ConfigMap", n, "web-settings", (o) => dataOf(o)["LOG_LEVEL"], "info");
        await expectObject(kube, "apps/v1", "Deployment", n, "web");
        await expectObject(kube, "rbac.authorization.k8s.io/v1", "RoleBinding", n, "web:readers");
      },
      cases: [
        {
          name: "a tab indents a mapping key",
          files: { "apps/web/service.yaml": service("web").replace("  selector:", "\tselector:") },
          error: /apps\/web\/service\.yaml:6: invalid YAML: Tabs/,
        },
        {
          name: "an unclosed double quote is reported where it opens",
          files: { "apps/web/settings.yaml": settings("web", { LOG_LEVEL: "info", LISTEN: ":8080" }).replace('LOG_LEVEL: "info"', 'LOG_LEVEL: "info') },
          // the quote opens on line 6 (data: is line 5), not at the end of the file
          error: /apps\/web\/settings\.yaml:6: invalid YAML: .*never closed/,
        },
        {
          name: "a key given twice in one mapping",
          files: { "apps/web/settings.yaml": settings("web", { LOG_LEVEL: "info", LISTEN: ":8080" }) + '  LOG_LEVEL: "debug"\n' },
          error: /apps\/web\/settings\.yaml/,
        },
        {
          name: "an alias bomb (billion laughs) is refused naming the file",
          files: { "apps/web/settings.yaml": aliasBomb },
          error: /apps\/web\/settings\.yaml: refused: its YAML aliases/,
        },
        {
          name: "an alias that was never anchored",
          files: { "apps/web/deployment.yaml": deployment("web").replace("cpu: 2000m", "cpu: *cpuLimit") },
          error: /apps\/web\/deployment\.yaml:31: .*cpuLimit/,
        },
        {
          name: "a sequence item at mapping level",
          files: { "apps/web/service.yaml": service("web").replace("spec:\n", "spec:\n  - type: ClusterIP\n") },
          error: /apps\/web\/service\.yaml/,
        },
        {
          name: "kustomization.yaml itself badly indented",
          files: { "apps/web/kustomization.yaml": webKustomization.replace("  - service.yaml", " - service.yaml") },
          error: /apps\/web\/kustomization\.yaml/,
        },
        {
          name: "a binary file listed as a resource",
          files: { "apps/web/service.yaml": "\u0000\u0001\u0002PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR" },
          error: /apps\/web\/service\.yaml/,
        },
      ],
    };
  },
};
