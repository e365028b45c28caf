// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

/** Layers of src/, and which other layers each may import. Dependencies point inward. */
const layers = {
  core: [],
  plan: ["core"],
  health: ["core"],
  source: ["core"],
  kube: ["core"],
  render: ["core"],
  apply: ["core", "kube", "plan", "health"],
  "local-cluster": ["core", "kube"],
  reconcile: ["core", "kube", "plan", "health", "source", "render", "apply"],
  controller: ["core", "kube", "plan", "health", "source", "render", "apply", "reconcile"],
  cli: ["core", "kube", "plan", "health", "source", "render", "apply", "reconcile", "controller", "local-cluster"],
};
const all = Object.keys(layers);

const layerRules = Object.entries(layers).map(([layer, allowed]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    "no-restricted-imports": ["error", {
      patterns: all
        .filter((l) => l !== layer && !allowed.includes(l))
        .map((l) => ({ group: [`**/${l}/*`, `../${l}`], message: `src/${layer} must not import src/${l} (dependencies point inward; see docs/architecture.md)` })),
    }],
  },
}));

export default tseslint.config(
  { ignores: ["node_modules/**", "bench/results/**", "examples/**", ".cache/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
    },
  },
  {
    // Only src/apply writes to the cluster; only src/kube speaks HTTP to it.
    files: ["src/**/*.ts"],
    ignores: ["src/kube/**", "src/local-cluster/**"],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "node:https", message: "only src/kube talks to the API server" }] }] },
  },
  ...layerRules,
);
