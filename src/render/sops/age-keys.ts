/** age identities and the age layer of sops: the data key (or a Shamir share of it) wrapped in an armored age file per recipient. */
import type * as Age from "age-encryption";
import { DecryptionError } from "../../core/errors.ts";

/** age-encryption is loaded on first use: it is most of a process's module load time, and most runs decrypt nothing. */
let ageModule: Promise<typeof Age> | undefined;
const loadAge = (): Promise<typeof Age> => (ageModule ??= import("age-encryption"));

const IDENTITY_RE = /^AGE-SECRET-KEY-(?:PQ-)?1[02-9AC-HJ-NP-Z]+$/;

/** The AGE-SECRET-KEY-1... lines of a key file; `#` comments and blank lines are allowed. */
export function parseAgeIdentities(text: string, source: string): string[] {
  const out: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    if (!IDENTITY_RE.test(line)) throw new DecryptionError(`${source}: line ${i + 1} is not an age identity (AGE-SECRET-KEY-1...)`, source);
    out.push(line);
  }
  if (out.length === 0) throw new DecryptionError(`${source}: no age identity (AGE-SECRET-KEY-1...) found`, source);
  return out;
}

const recipientCache = new Map<string, Promise<string | undefined>>();

function recipientOf(identity: string): Promise<string | undefined> {
  let p = recipientCache.get(identity);
  if (!p) {
    p = loadAge().then((age) => age.identityToRecipient(identity)).catch(() => undefined);
    recipientCache.set(identity, p);
  }
  return p;
}

/** Why the age layer failed; never includes key material. */
export class AgeUnwrapError extends Error {}

/** Unwraps one armored age file with whichever identity fits. */
export async function unwrapDataKey(armored: string, recipient: string, identities: string[]): Promise<Uint8Array> {
  const { armor, Decrypter } = await loadAge();
  let file: Uint8Array;
  try {
    file = armor.decode(armored);
  } catch {
    throw new AgeUnwrapError(`the age-encrypted data key for ${recipient} is not a valid armored age file`);
  }
  const recipients = await Promise.all(identities.map(recipientOf));
  const matching = identities.filter((_, i) => recipients[i] === recipient);
  // Try identities whose public key is the listed recipient first, then the rest (a file may list a recipient loosely).
  const ordered = [...matching, ...identities.filter((id) => !matching.includes(id))];
  const d = new Decrypter();
  for (const id of ordered) d.addIdentity(id);
  try {
    return await d.decrypt(file);
  } catch {
    if (matching.length > 0) throw new AgeUnwrapError(`the data key for ${recipient} could not be decrypted with its identity (wrong key or corrupted age file)`);
    throw new AgeUnwrapError("no identity matches");
  }
}

export async function wrapDataKey(key: Uint8Array, recipient: string): Promise<string> {
  const { armor, Encrypter } = await loadAge();
  const e = new Encrypter();
  try {
    e.addRecipient(recipient);
  } catch {
    throw new AgeUnwrapError(`invalid age recipient ${JSON.stringify(recipient.slice(0, 100))}`);
  }
  return armor.encode(await e.encrypt(key));
}

export function checkIdentities(identities: string[], subject: string): void {
  if (identities.length === 0) throw new DecryptionError(`${subject}: no age identities were provided`, subject);
}
