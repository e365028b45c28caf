/** Reading git's stderr into a short cause for a SourceError message. Pure. */

export type GitFailureKind = "ref-not-found" | "auth" | "host-key" | "repo-not-found" | "unreachable" | "other";

export function classifyGitStderr(stderr: string): GitFailureKind {
  const s = stderr;
  if (/couldn't find remote ref|Couldn't find remote ref|not our ref|no such remote ref/i.test(s)) return "ref-not-found";
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known|host key .* has changed/i.test(s)) return "host-key";
  if (/Authentication failed|terminal prompts disabled|could not read (Username|Password)|Permission denied \(|The requested URL returned error: 40[13]|HTTP Basic: Access denied|invalid credentials/i.test(s)) return "auth";
  if (/does not appear to be a git repository|Repository not found|The requested URL returned error: 404|repository '.*' not found/i.test(s)) return "repo-not-found";
  if (/Connection refused|Could not resolve host|Failed to connect|Connection timed out|Network is unreachable|Could not read from remote repository|Connection reset|Operation timed out|No route to host|Name or service not known|Connection closed/i.test(s)) return "unreachable";
  return "other";
}

export function describeFailure(kind: GitFailureKind): string {
  switch (kind) {
    case "ref-not-found":
      return "not found";
    case "auth":
      return "authentication failed";
    case "host-key":
      return "host key verification failed (known_hosts does not match the server's key)";
    case "repo-not-found":
      return "repository not found";
    case "unreachable":
      return "unable to reach remote";
    case "other":
      return "git operation failed";
  }
}

/** The most telling lines of stderr, joined, for the end of a message. */
export function stderrSummary(stderr: string, maxLines = 3): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^@+$/.test(l) && !l.startsWith("hint:"));
  const fatal = lines.filter((l) => /^(fatal|error|ssh:|remote:)/i.test(l) || /failed|denied|refused/i.test(l));
  const pick = (fatal.length > 0 ? fatal : lines).slice(-maxLines);
  return pick.join("; ");
}
