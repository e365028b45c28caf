/**
 * Corpus theme: Flux Kustomization specs that are wrong: refused by the CRD's schema (the parent fails naming the
 * child), or accepted and then failing on their own (missing source, dependsOn missing or in a cycle, missing
 * substitution source, a path leaving the repository). The child's objects stay untouched either way.
 */
import type { KubeClient } from "../../../src/kube/client.ts";
import type { Theme } from "./corpus.ts";
import { dataOf, expectObject, fluxKustomization, serviceAccount, settings } from "./fixtures.ts";

export const fluxSpecs: Theme = {
  title: "corpus: bad Flux Kustomization specs fail naming the Kustomization, change nothing, and the next good commit recovers",
  prefix: "c-flux",
  async setup({ ns }) {
    const db = fluxKustomization("db", ns, "./apps/db", `  targetNamespace: ${ns}\n`);
    const web = fluxKustomization("web", ns, "./apps/web", `  targetNamespace: ${ns}\n  dependsOn:\n    - name: db\n`);
    const ks = (name: string): string => `Kustomization/${ns}/${name}`;
    return {
      good: {
        "clusters/c/db.yaml": db,
        "clusters/c/web.yaml": web,
        "apps/db/settings.yaml": settings("db", { MAX_CONNECTIONS: "200" }),
        "apps/web/serviceaccount.yaml": serviceAccount("web"),
        "apps/web/settings.yaml": settings("web", { DB_HOST: "db" }),
      },
      async expect(kube: KubeClient, n: string) {
        await expectObject(kube, "v1", "ConfigMap", n, "db-settings", (o) => dataOf(o)["MAX_CONNECTIONS"], "200");
        await expectObject(kube, "v1", "ConfigMap", n, "web-settings", (o) => dataOf(o)["DB_HOST"], "db");
      },
      cases: [
        {
          name: "dependsOn a Kustomization that does not exist",
          files: { "clusters/c/web.yaml": web.replace("- name: db", "- name: database") },
          error: new RegExp(`${ns}/web .*database`),
          mayChange: [ks("web")],
        },
        {
          name: "dependsOn in a cycle (db -> web -> db)",
          files: { "clusters/c/db.yaml": db + "  dependsOn:\n    - name: web\n" },
          error: /cycle|circular/i,
          mayChange: [ks("db")],
        },
        {
          name: "a sourceRef naming a GitRepository that does not exist",
          files: { "clusters/c/db.yaml": db.replace("name: flux-system", "name: platform") },
          error: /GitRepository.*platform/,
          mayChange: [ks("db")],
        },
        {
          name: "an interval that is not a duration (10 minutes)",
          files: { "clusters/c/db.yaml": db.replace("interval: 10m0s", "interval: 10 minutes") },
          error: new RegExp(`Kustomization/${ns}/db: .*interval`),
        },
        {
          name: "prune left out (required in v1)",
          files: { "clusters/c/db.yaml": db.replace("  prune: true\n", "") },
          error: new RegExp(`Kustomization/${ns}/db: .*prune`),
        },
        {
          name: "a decryption provider Flux does not have (vault)",
          files: { "clusters/c/db.yaml": db + "  decryption:\n    provider: vault\n" },
          error: new RegExp(`Kustomization/${ns}/db: .*provider`),
        },
        {
          name: "a removed apiVersion (kustomize.toolkit.fluxcd.io/v1beta1)",
          files: { "clusters/c/db.yaml": db.replace("kustomize.toolkit.fluxcd.io/v1", "kustomize.toolkit.fluxcd.io/v1beta1") },
          error: /Kustomization.*db.*v1beta1|v1beta1.*Kustomization.*db|clusters\/c\/db\.yaml/,
        },
        {
          name: "substituteFrom a ConfigMap that does not exist",
          files: { "clusters/c/db.yaml": db + "  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-vars\n" },
          error: /ConfigMap.*cluster-vars/,
          mayChange: [ks("db")],
        },
        {
          name: "spec.path leaving the repository",
          files: { "clusters/c/db.yaml": db.replace("path: ./apps/db", "path: ../../../etc") },
          error: /\.\.\/\.\.\/\.\.\/etc/,
          mayChange: [ks("db")],
        },
      ],
    };
  },
};
