export { render, parseBuildOutput, type RenderInput, type RenderResult } from "./render.ts";
export { looksEncrypted, type Decryptor } from "./decryptor.ts";
export { substitute, validateVariableNames, SubstitutionError } from "./substitute.ts";
export { findKustomize, type KustomizeCommand } from "./kustomize-binary.ts";
