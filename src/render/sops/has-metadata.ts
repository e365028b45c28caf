/** Whether a text is a sops-encrypted file of a given format. */
import { parseAllDocuments } from "yaml";
import type { SopsFormat } from "./format.ts";

export function hasSopsMetadata(text: string, format: SopsFormat): boolean {
  try {
    switch (format) {
      case "yaml": {
        const docs = parseAllDocuments(text, { schema: "failsafe" });
        const first = Array.isArray(docs) ? docs[0] : undefined;
        const js = first?.toJS() as unknown;
        return !!js && typeof js === "object" && !!(js as Record<string, unknown>)["sops"] && typeof (js as Record<string, unknown>)["sops"] === "object";
      }
      case "json":
      case "binary": {
        const js = JSON.parse(text) as unknown;
        return !!js && typeof js === "object" && !Array.isArray(js) && typeof (js as Record<string, unknown>)["sops"] === "object" && (js as Record<string, unknown>)["sops"] !== null;
      }
      case "dotenv":
        return /^sops_(mac|version|lastmodified)=/m.test(text);
      case "ini":
        return /^\s*\[sops\]\s*$/m.test(text);
    }
  } catch {
    return false;
  }
  return false;
}
