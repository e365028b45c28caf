/** Walking a sops tree to encrypt or decrypt it, and computing its MAC exactly as sops.Tree.Encrypt/Decrypt do. */
import { createHash, type Hash } from "node:crypto";
import { Branch, Comment, type TreeValue } from "./tree.ts";
import { decryptValue, encryptValue, valueBytes, ValueCipherError, type PlainLeaf } from "./cipher.ts";
import { goRegExp } from "./go-regexp.ts";

export interface CryptRules {
  unencryptedSuffix: string;
  encryptedSuffix: string;
  unencryptedRegex: string;
  encryptedRegex: string;
  unencryptedCommentRegex: string;
  encryptedCommentRegex: string;
  macOnlyEncrypted: boolean;
}

/** sha256("sops"), written first into the MAC when mac_only_encrypted is set. */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from("8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69", "hex");

/** A failure at a key path. The path (keys only) is safe to show; values never are. */
export class TreeWalkError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.path = path;
  }
}

type Leaf = PlainLeaf;
type OnLeaf = (value: Leaf, path: string[], comments: string[][]) => TreeValue;

function walkValue(v: TreeValue, path: string[], comments: string[][], onLeaf: OnLeaf): TreeValue {
  if (v === null) return null;
  if (v instanceof Branch) return walkBranch(v, path, comments, onLeaf);
  if (Array.isArray(v)) return walkSlice(v, path, comments, onLeaf);
  return onLeaf(v, path, comments);
}

function walkSlice(list: TreeValue[], path: string[], stack: string[][], onLeaf: OnLeaf): TreeValue[] {
  const comments = [...stack, []];
  const top = comments.length - 1;
  for (let i = 0; i < list.length; i++) {
    const v = list[i] as TreeValue;
    const isComment = v instanceof Comment;
    if (isComment) comments[top] = [...(comments[top] ?? []), v.value];
    list[i] = walkValue(v, path, comments, onLeaf);
    if (!isComment) comments[top] = [];
  }
  return list;
}

function walkBranch(branch: Branch, path: string[], stack: string[][], onLeaf: OnLeaf): Branch {
  const comments = [...stack, []];
  const top = comments.length - 1;
  for (const item of branch.items) {
    if (item.key instanceof Comment) {
      comments[top] = [...(comments[top] ?? []), item.key.value];
      const out = walkValue(item.key, path, comments, onLeaf);
      if (out instanceof Comment) item.key = out;
      else if (typeof out === "string") item.key = new Comment(out, item.key.inline);
      else throw new TreeWalkError(path.join(":"), "a comment did not stay a comment");
      continue;
    }
    const valueIsComment = item.value instanceof Comment;
    if (item.value instanceof Comment) comments[top] = [...(comments[top] ?? []), item.value.value];
    item.value = walkValue(item.value, [...path, item.key], comments, onLeaf);
    if (!valueIsComment) comments[top] = [];
  }
  return branch;
}

function anyMatch(re: string, items: string[]): boolean {
  const rx = goRegExp(re);
  return items.some((p) => rx.test(p));
}

export function shouldBeEncrypted(rules: CryptRules, path: string[], stack: string[][], isComment: boolean): boolean {
  let encrypted = true;
  if (rules.unencryptedSuffix !== "" && path.some((p) => p.endsWith(rules.unencryptedSuffix))) encrypted = false;
  if (rules.encryptedSuffix !== "") encrypted = path.some((p) => p.endsWith(rules.encryptedSuffix));
  if (rules.unencryptedRegex !== "" && anyMatch(rules.unencryptedRegex, path)) encrypted = false;
  if (rules.encryptedRegex !== "") encrypted = anyMatch(rules.encryptedRegex, path);
  if (rules.unencryptedCommentRegex !== "" && anyMatch(rules.unencryptedCommentRegex, stack.flat())) encrypted = false;
  if (rules.encryptedCommentRegex !== "") {
    const rx = goRegExp(rules.encryptedCommentRegex);
    encrypted = false;
    const last = stack.length - 1;
    outer: for (let i = 0; i < stack.length; i++) {
      const cs = stack[i] ?? [];
      for (let j = 0; j < cs.length; j++) {
        // The comment line that itself matches is not encrypted; only lines after it are.
        if (isComment && i === last && j === cs.length - 1) continue;
        if (rx.test(cs[j] ?? "")) {
          encrypted = true;
          break outer;
        }
      }
    }
  }
  return encrypted;
}

function newMac(rules: CryptRules): Hash {
  const h = createHash("sha512");
  if (rules.macOnlyEncrypted) h.update(MAC_ONLY_ENCRYPTED_INIT);
  return h;
}

function pathString(path: string[]): string {
  return path.join(":") + ":";
}

/** Encrypts the branches in place; returns the MAC (uppercase hex SHA-512) over the plaintext values. */
export function encryptBranches(branches: Branch[], key: Uint8Array, rules: CryptRules): string {
  const mac = newMac(rules);
  for (const b of branches) {
    walkBranch(b, [], [], (value, path, comments) => {
      const isComment = value instanceof Comment;
      const encrypted = shouldBeEncrypted(rules, path, comments, isComment);
      if ((!rules.macOnlyEncrypted || encrypted) && !isComment) mac.update(valueBytes(value));
      return encrypted ? encryptValue(value, key, pathString(path)) : value;
    });
  }
  return mac.digest("hex").toUpperCase();
}

/** Decrypts the branches in place; returns the MAC computed over the decrypted values. */
export function decryptBranches(branches: Branch[], key: Uint8Array, rules: CryptRules): string {
  const mac = newMac(rules);
  for (const b of branches) {
    walkBranch(b, [], [], (value, path, comments) => {
      const isComment = value instanceof Comment;
      const encrypted = shouldBeEncrypted(rules, path, comments, isComment);
      let out: Leaf = value;
      if (encrypted) {
        if (value instanceof Comment) {
          try {
            out = decryptValue(value.value, key, pathString(path));
            if (out instanceof Comment) out = new Comment(out.value, value.inline);
          } catch {
            out = value; // an unencrypted comment, as older sops versions wrote them
          }
        } else if (typeof value === "string") {
          try {
            out = decryptValue(value, key, pathString(path));
          } catch (err) {
            if (err instanceof ValueCipherError) throw new TreeWalkError(path.join(":"), err.message);
            throw err;
          }
        } else {
          throw new TreeWalkError(path.join(":"), `expected an encrypted value but found a plain ${typeof value}`);
        }
      }
      if ((!rules.macOnlyEncrypted || encrypted) && !(out instanceof Comment)) mac.update(valueBytes(out));
      return out;
    });
  }
  return mac.digest("hex").toUpperCase();
}
