/**
 * Our own CustomResourceDefinitions for Flux's v1 GitRepository and Kustomization.
 *
 * Written by us, shaped like Flux's: the same group, kind, short name, version, printer
 * columns, spec field names, defaults and required fields, so a Flux repository applies
 * unchanged and Flux-aware tools read the objects. Spec fields Flux has but Plumbline does
 * not act on are still declared, so the API server keeps them instead of pruning them.
 * `status` preserves unknown fields: the engine owns its shape (conditions, inventory,
 * lastAppliedRevision, lastAttemptedRevision, artifact, history, observedGeneration).
 *
 * Differences from Flux, on purpose: GitRepository `spec.url` also accepts `file://` URLs and
 * absolute paths (the demo and tests sync from a local repository).
 */
import type { KubeObject } from "../core/object-ref.ts";

type Schema = Record<string, unknown>;

/** Flux's duration pattern for intervals and timeouts (Go `time.Duration` units up to hours). */
const DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";
/** Flux bounds Git operation timeouts to minutes. */
const GIT_TIMEOUT = "^([0-9]+(\\.[0-9]+)?(ms|s|m))+$";

const str = (description: string, extra: Schema = {}): Schema => ({ type: "string", description, ...extra });
const bool = (description: string, extra: Schema = {}): Schema => ({ type: "boolean", description, ...extra });
const duration = (description: string, pattern = DURATION): Schema => str(description, { pattern });
const stringMap = (description: string): Schema => ({ type: "object", description, additionalProperties: { type: "string" } });
const strings = (description: string): Schema => ({ type: "array", description, items: { type: "string" } });

function object(description: string, properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: "object", description, properties, ...(required.length ? { required } : {}) };
}

function arrayOf(description: string, items: Schema): Schema {
  return { type: "array", description, items };
}

const localRef = (description: string): Schema =>
  object(description, { name: str("Name of the referent.") }, ["name"]);

/** kustomize's resource selector, as used by Kustomization patches and drift ignore rules. */
const selector = (description: string): Schema =>
  object(description, {
    group: str("API group of the objects to select."),
    version: str("API version of the objects to select."),
    kind: str("Kind of the objects to select."),
    name: str("Name (regular expression) of the objects to select."),
    namespace: str("Namespace (regular expression) of the objects to select."),
    annotationSelector: str("Annotation selector expression."),
    labelSelector: str("Label selector expression."),
  });

/** Status is written only by Plumbline; its shape is open. New objects start at observedGeneration -1, as in Flux. */
const openStatus = (description: string): Schema => ({
  type: "object",
  description,
  default: { observedGeneration: -1 },
  properties: { observedGeneration: { type: "integer", format: "int64" } },
  "x-kubernetes-preserve-unknown-fields": true,
});

const READY = '.status.conditions[?(@.type=="Ready")]';

const printerColumns = (first: Schema[] = []): Schema[] => [
  ...first,
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  { name: "Ready", type: "string", jsonPath: `${READY}.status` },
  { name: "Status", type: "string", jsonPath: `${READY}.message` },
];

/**
 * The spec's optional object fields (decryption, postBuild, kubeConfig, ref, ...) are atomic for server-side apply.
 * Kubernetes 1.20-1.2x servers otherwise turn an object whose fields were all removed from the applied
 * configuration into `null`, which the schema refuses ("spec.decryption.secretRef in body must be of type object:
 * \"null\"", kubernetes/kubernetes#103011): removing `decryption` or `postBuild` from a Kustomization in Git could
 * never be applied. Atomic, the whole field is owned and removed as one value. Required fields (sourceRef) cannot
 * be removed and keep field-level ownership, as do the scalar fields.
 */
function atomicObjects(spec: Schema): Schema {
  const props = spec["properties"] as Record<string, Schema>;
  const required = new Set((spec["required"] as string[] | undefined) ?? []);
  return { ...spec, properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v["type"] === "object" && !required.has(k) ? { ...v, "x-kubernetes-map-type": "atomic" } : v])) };
}

function crd(args: {
  group: string;
  kind: string;
  plural: string;
  shortName: string;
  description: string;
  spec: Schema;
  status: Schema;
  columns: Schema[];
}): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${args.plural}.${args.group}`,
      labels: { "app.kubernetes.io/part-of": "plumbline", "app.kubernetes.io/component": "crds" },
    },
    spec: {
      group: args.group,
      scope: "Namespaced",
      names: {
        kind: args.kind,
        listKind: `${args.kind}List`,
        plural: args.plural,
        singular: args.kind.toLowerCase(),
        shortNames: [args.shortName],
      },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: args.columns,
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: args.description,
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                spec: atomicObjects(args.spec),
                status: args.status,
              },
            },
          },
        },
      ],
    },
  };
}

function gitRepositorySpec(): Schema {
  return object("GitRepositorySpec: the Git repository to fetch and the revision to track.", {
    url: str("Repository URL: http(s):// or ssh:// (Flux); file:// or an absolute path (Plumbline, local use).", {
      pattern: "^((http|https|ssh|file)://.*|/.*)$",
    }),
    ref: object("Git reference to check out; when none is set the branch `master` is used.", {
      branch: str("Branch to check out; used when no other field is set."),
      tag: str("Tag to check out; takes precedence over branch."),
      semver: str("Semver range over tags; takes precedence over tag."),
      name: str("Git reference name (refs/heads/..., refs/tags/..., refs/pull/.../head); takes precedence over branch, tag and semver."),
      commit: str("Commit SHA to check out; with a branch, the commit must be on it."),
    }),
    interval: duration("How often the repository is checked for new revisions."),
    timeout: { ...duration("Timeout for Git operations such as clone.", GIT_TIMEOUT), default: "60s" },
    secretRef: localRef("Secret in the same namespace with the Git credentials (username/password, bearerToken, or identity/known_hosts)."),
    proxySecretRef: localRef("Secret with proxy settings (address, username, password)."),
    provider: str("Provider for authentication.", { enum: ["generic", "azure", "github"] }),
    ignore: str("Patterns in .gitignore format that replace the default exclusions of the artifact."),
    suspend: bool("Stops reconciliation of this source when true."),
    recurseSubmodules: bool("Initialises submodules after clone."),
    sparseCheckout: strings("Directories to check out; the rest of the tree is left out."),
    verify: object("Verification of commit or tag signatures.", {
      mode: str("What to verify.", { enum: ["head", "HEAD", "Tag", "TagAndHEAD"], default: "HEAD" }),
      secretRef: localRef("Secret with the trusted public keys."),
    }, ["secretRef"]),
    include: arrayOf("Other GitRepositories whose artifacts are copied into this one.", object("One included repository.", {
      repository: localRef("The GitRepository to include."),
      fromPath: str("Path in the included artifact to copy from; defaults to its root."),
      toPath: str("Path to copy to; defaults to the included repository's name."),
    }, ["repository"])),
  }, ["interval", "url"]);
}

function kustomizationSpec(): Schema {
  return object("KustomizationSpec: what to build from a source and how to apply it.", {
    sourceRef: object("The source that holds the manifests.", {
      apiVersion: str("API version of the source."),
      kind: str("Kind of the source.", { enum: ["OCIRepository", "GitRepository", "Bucket"] }),
      name: str("Name of the source."),
      namespace: str("Namespace of the source; defaults to the Kustomization's namespace."),
    }, ["kind", "name"]),
    path: str("Directory in the source with a kustomization.yaml or plain manifests; defaults to the source root."),
    interval: duration("How often to reconcile."),
    retryInterval: duration("How soon to retry after a failure; defaults to interval."),
    timeout: duration("Timeout for apply and health checks; defaults to interval."),
    prune: bool("Deletes objects that were applied before and are no longer in the source."),
    deletionPolicy: str("What happens to applied objects when the Kustomization is deleted; defaults to MirrorPrune.", {
      enum: ["MirrorPrune", "Delete", "WaitForTermination", "Orphan"],
    }),
    wait: bool("Waits for every applied object to become healthy; healthChecks are then ignored."),
    force: bool("Recreates objects whose update fails on an immutable field.", { default: false }),
    suspend: bool("Stops reconciliation when true."),
    dependsOn: arrayOf("Kustomizations that must be Ready before this one is reconciled.", object("A dependency.", {
      name: str("Name of the Kustomization."),
      namespace: str("Namespace of the Kustomization; defaults to this one's."),
      readyExpr: str("CEL expression for readiness of the dependency."),
    }, ["name"])),
    targetNamespace: str("Sets or overrides the namespace of every namespaced object.", { minLength: 1, maxLength: 63 }),
    namePrefix: str("Prefix added to the names of all objects.", { minLength: 1, maxLength: 200 }),
    nameSuffix: str("Suffix added to the names of all objects.", { minLength: 1, maxLength: 200 }),
    patches: arrayOf("Strategic merge or JSON 6902 patches, inline.", object("One patch.", {
      patch: str("The patch document (YAML)."),
      target: selector("Objects the patch applies to."),
    }, ["patch"])),
    images: arrayOf("Image name, tag and digest overrides.", object("One image override.", {
      name: str("Image name (without tag) to match."),
      newName: str("Replacement name."),
      newTag: str("Replacement tag."),
      digest: str("Replacement digest; wins over newTag."),
    }, ["name"])),
    components: strings("Paths of kustomize Components to include."),
    ignoreMissingComponents: bool("Leaves out components paths that do not exist."),
    commonMetadata: object("Labels and annotations added to every object.", {
      labels: stringMap("Labels to add."),
      annotations: stringMap("Annotations to add."),
    }),
    postBuild: object("Steps run on the built manifests.", {
      substitute: stringMap("Variables for ${var} substitution."),
      substituteFrom: arrayOf("ConfigMaps and Secrets whose data are substitution variables.", object("One variables source.", {
        kind: str("Kind of the variables source.", { enum: ["Secret", "ConfigMap"] }),
        name: str("Name of the variables source, in the Kustomization's namespace.", { minLength: 1, maxLength: 253 }),
        optional: bool("Tolerates a missing source.", { default: false }),
      }, ["kind", "name"])),
    }),
    healthChecks: arrayOf("Objects whose health gates readiness.", object("One object to check.", {
      apiVersion: str("API version of the object."),
      kind: str("Kind of the object."),
      name: str("Name of the object."),
      namespace: str("Namespace of the object."),
    }, ["kind", "name"])),
    healthCheckExprs: arrayOf("CEL health expressions for custom resources.", object("Expressions for one kind.", {
      apiVersion: str("API version of the custom resource."),
      kind: str("Kind of the custom resource."),
      current: str("CEL expression: the object is healthy."),
      inProgress: str("CEL expression: the object is progressing."),
      failed: str("CEL expression: the object has failed."),
    }, ["apiVersion", "kind", "current"])),
    decryption: object("Decryption of SOPS-encrypted manifests.", {
      provider: str("Decryption engine.", { enum: ["sops"] }),
      secretRef: localRef("Secret with the private keys (e.g. *.agekey)."),
      serviceAccountName: str("Service account for cloud KMS authentication."),
    }, ["provider"]),
    serviceAccountName: str("Service account to impersonate when applying."),
    kubeConfig: object("Kubeconfig for applying to a remote cluster.", {
      secretRef: object("Secret with the kubeconfig.", {
        name: str("Name of the Secret."),
        key: str("Key in the Secret; defaults to value or value.yaml."),
      }, ["name"]),
    }),
    driftIgnoreRules: arrayOf("Fields to leave out of drift detection and apply.", object("One rule.", {
      paths: strings("JSON Pointer paths to ignore."),
      target: selector("Objects the rule applies to; all when unset."),
    }, ["paths"])),
  }, ["interval", "prune", "sourceRef"]);
}

/** The two CRDs Plumbline needs in a cluster, GitRepository first. */
export function fluxCrds(): KubeObject[] {
  return [
    crd({
      group: "source.toolkit.fluxcd.io",
      kind: "GitRepository",
      plural: "gitrepositories",
      shortName: "gitrepo",
      description: "GitRepository: a Git repository fetched into an artifact (Flux source.toolkit.fluxcd.io/v1).",
      spec: gitRepositorySpec(),
      status: openStatus("GitRepositoryStatus: conditions, artifact, observedGeneration; written by Plumbline."),
      columns: printerColumns([{ name: "URL", type: "string", jsonPath: ".spec.url" }]),
    }),
    crd({
      group: "kustomize.toolkit.fluxcd.io",
      kind: "Kustomization",
      plural: "kustomizations",
      shortName: "ks",
      description: "Kustomization: manifests built from a source and applied to the cluster (Flux kustomize.toolkit.fluxcd.io/v1).",
      spec: kustomizationSpec(),
      status: openStatus("KustomizationStatus: conditions, inventory, revisions, history; written by Plumbline."),
      columns: printerColumns(),
    }),
  ];
}
