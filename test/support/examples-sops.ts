/**
 * The SOPS parts of examples/: the demo key (demo-keys/, outside examples/) and the SHA-256 of each plaintext
 * value, so tests check decrypted values without the plaintext being written anywhere.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";

export const DEMO_AGE_KEY_FILE = join(import.meta.dirname, "../../demo-keys/age.agekey");

/** Secret key -> sha256(plaintext), for the Secret api-credentials and the generated Secret api-tokens-<hash>. */
export const EXAMPLE_SECRET_SHA256 = {
  "api-credentials": {
    DB_USER: "14c2529eb4498c5d1ffd6915d05bf58a91bdda796af59f41d480d11c099d0479",
    DB_PASSWORD: "f6ce5dec39819574e59e548c598dc0ed9c5b750e2a86e74948cdaa931410c575",
  },
  "api-tokens": {
    PAYMENT_API_TOKEN: "fb02c561910de553d10174190c40b4f433eb7054c5a5c9ece7626390127fdbd9",
    WEBHOOK_SIGNING_KEY: "39090746b27e314744e99ff59e0583b3db0a19fb7f9a94516b1d04db35f793ad",
  },
} as const;

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
