import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { generateX25519Identity, identityToRecipient } from "age-encryption";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/sops/", import.meta.url));

export function fixture(path: string): string {
  return readFileSync(FIXTURES + path, "utf8");
}

export interface KeyPair {
  identity: string;
  recipient: string;
}

export async function newKey(): Promise<KeyPair> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}
