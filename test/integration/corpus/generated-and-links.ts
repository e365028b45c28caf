/**
 * Corpus theme: folders without kustomization.yaml (generated kustomizations) holding files that are not all
 * Kubernetes objects, symlinks (leaving the repository, dangling), and a Kustomization's folder gone.
 * Left out silently, such a file makes the parent prune its child and everything the child owns.
 */
import type { KubeClient } from "../../../src/kube/client.ts";
import type { Theme } from "./corpus.ts";
import { dataOf, expectObject, fluxKustomization, service, serviceAccount, settings } from "./fixtures.ts";

export const generatedAndLinks: Theme = {
  title: "corpus: generated-kustomization non-objects and bad symlinks fail naming the file, change nothing, and the next good commit recovers",
  prefix: "c-gen",
  async setup({ ns }) {
    const child = fluxKustomization("web", ns, "./apps/web", `  targetNamespace: ${ns}\n`);
    return {
      good: {
        "clusters/c/web.yaml": child,
        "apps/web/serviceaccount.yaml": serviceAccount("web"),
        "apps/web/settings.yaml": settings("web", { LOG_LEVEL: "info" }),
        "apps/web/service.yaml": service("web"),
      },
      async expect(kube: KubeClient, n: string) {
        await expectObject(kube, "v1", "ConfigMap", n, "web-settings", (o) => dataOf(o)["LOG_LEVEL"], "info");
        await expectObject(kube, "v1", "Service", n, "web");
      },
      cases: [
        {
          name: "a Kustomization manifest in the cluster folder missing kind:",
          files: { "clusters/c/web.yaml": child.replace("kind: Kustomization\n", "") },
          error: /clusters\/c\/web\.yaml.*kind/,
        },
        {
          name: "a Kustomization manifest with apiversion: (lower case v)",
          files: { "clusters/c/web.yaml": child.replace("apiVersion:", "apiversion:") },
          error: /clusters\/c\/web\.yaml.*apiVersion/,
        },
        {
          name: "a YAML list of names in an application folder",
          files: { "apps/web/owners.yaml": "- alice\n- bob\n" },
          error: /apps\/web\/owners\.yaml/,
        },
        {
          name: "a plain-text note saved as .yaml",
          files: { "apps/web/notes.yaml": "remember to bump the image before Friday\n" },
          error: /apps\/web\/notes\.yaml/,
        },
        {
          name: "a ConfigMap without metadata.name",
          files: { "apps/web/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    tier: web\ndata:\n  a: \"1\"\n" },
          error: /apps\/web\/extra\.yaml.*name|ConfigMap.*name/,
        },
        {
          name: "a manifest symlinked to a file outside the repository",
          links: { "apps/web/host.yaml": "/etc/hostname" },
          error: /apps\/web\/host\.yaml.*symlink/,
        },
        {
          name: "a folder symlinked outside the repository",
          links: { "apps/web/etc": "/etc" },
          error: /apps\/web\/etc.*symlink/,
        },
        {
          name: "a dangling symlink",
          links: { "apps/web/extra.yaml": "../shared/extra.yaml" },
          error: /apps\/web\/extra\.yaml/,
        },
        {
          name: "the Kustomization's folder deleted",
          files: { "apps/web/serviceaccount.yaml": null, "apps/web/settings.yaml": null, "apps/web/service.yaml": null },
          error: /apps\/web/,
        },
        {
          name: "spec.path pointing at a folder that does not exist",
          files: { "clusters/c/web.yaml": child.replace("path: ./apps/web", "path: ./apps/website") },
          error: /apps\/website/,
          mayChange: [`Kustomization/${ns}/web`],
        },
      ],
    };
  },
};
