/** SOPS (age) decryption and encryption, compatible with the sops CLI. */
export { formatFromPath, isSopsEncryptedValue, type SopsFormat } from "./format.ts";
export { parseAgeIdentities } from "./age-keys.ts";
export { hasSopsMetadata } from "./has-metadata.ts";
export { decryptFile, decryptToFormat, encryptFile, type EncryptOptions } from "./sops-file.ts";
export { decryptObject, decryptSecretValues } from "./k8s.ts";
export { decryptGeneratorInputs } from "./generator-inputs.ts";
export { indexEncryptedResources, sopsFingerprint, verifyEncryptedFile, type EncryptedFile } from "./resource-files.ts";
