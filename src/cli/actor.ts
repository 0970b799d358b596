import { userInfo } from 'node:os';

/**
 * The actor every command records in the audit log (apply, call, token), in this order:
 * 1. `--actor NAME` where the command has it;
 * 2. in GitHub Actions, `ci:$GITHUB_ACTOR@<first 12 of $GITHUB_SHA>`;
 * 3. else `cli:<os user>`: $USER, else $LOGNAME, else the account's name, else `unknown`.
 */
export function resolveActor(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit && explicit.trim()) return explicit.trim();
  if (env.GITHUB_ACTOR) return `ci:${env.GITHUB_ACTOR}${env.GITHUB_SHA ? `@${env.GITHUB_SHA.slice(0, 12)}` : ''}`;
  return `cli:${env.USER || env.LOGNAME || accountName()}`;
}

function accountName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown'; // no passwd entry (containers)
  }
}
